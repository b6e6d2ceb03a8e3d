/**
 * What `phoenix version` reports: Phoenix's own version, the Pulumi packages it is built
 * on, and every pin of the catalog (components/catalog.ts), so an operator can tell what a
 * deploy from this checkout installs without reading code.
 */
import { addons, charts, crdManifests, images, kubernetesVersion } from "../../components/catalog";

/** One pinned thing. */
export interface Pin {
  readonly kind: "phoenix" | "package" | "kubernetes" | "add-on" | "chart" | "image" | "crd";
  readonly name: string;
  readonly version: string;
  /** Where it comes from: a chart repository, a manifest URL. */
  readonly source?: string;
}

/** The package.json fields read. */
export interface PackageJson {
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** Every pin, Phoenix first; packages are the `@pulumi/*` dependencies as package.json pins them. */
export function versions(pkg: PackageJson): Pin[] {
  const packages = Object.entries(pkg.dependencies ?? {}).filter(([name]) => name.startsWith("@pulumi/"));
  return [
    { kind: "phoenix", name: "phoenix", version: pkg.version },
    ...packages.map(([name, version]): Pin => ({ kind: "package", name, version })),
    { kind: "kubernetes", name: "EKS control plane", version: kubernetesVersion },
    ...Object.values(addons).map((a): Pin => ({ kind: "add-on", name: a.name, version: a.version })),
    ...Object.values(charts).map((c): Pin => ({
      kind: "chart",
      name: c.chart,
      version: c.version,
      source: c.repository,
    })),
    ...Object.values(images).map((ref): Pin => {
      const at = ref.lastIndexOf(":");
      return { kind: "image", name: ref.slice(0, at), version: ref.slice(at + 1) };
    }),
    ...Object.entries(crdManifests).map(([name, url]): Pin => ({
      kind: "crd",
      name,
      version: /\/(v\d+\.\d+\.\d+)\//.exec(url)?.[1] ?? "?",
      source: url,
    })),
  ];
}
