/**
 * The one place where Phoenix pins versions: Kubernetes, EKS managed add-ons, Helm
 * charts and the container images Phoenix sets itself. Nothing else in the program
 * names a version. Changing a pin is a reviewed change to this file, and the golden
 * plan test (test/golden/prod.plan.json) shows its effect on every stack.
 */

/** A Helm chart pinned to an exact version in a named repository. */
export interface ChartPin {
  /** Chart name in the repository. */
  readonly chart: string;
  /** Exact chart version (never a range). */
  readonly version: string;
  /** Helm repository URL. */
  readonly repository: string;
}

/** An EKS managed add-on pinned to an exact build for the catalog's Kubernetes version. */
export interface AddonPin {
  /** EKS add-on name as `aws eks describe-addon-versions` lists it. */
  readonly name: string;
  /** Exact add-on version (`vX.Y.Z-eksbuild.N`). */
  readonly version: string;
}

/** Kubernetes minor version of the EKS control plane; the add-on pins below are built for it. */
export const kubernetesVersion = "1.34";

/**
 * EKS managed add-ons for Kubernetes 1.34. vpc-cni, kube-proxy and coredns are the
 * latest builds in the EKS user guide's "latest version" tables. AWS publishes no such
 * table for eks-pod-identity-agent, aws-ebs-csi-driver and snapshot-controller: those pins are builds
 * seen in public EKS configurations; confirm them with
 * `aws eks describe-addon-versions --kubernetes-version 1.34 --addon-name <name>`
 * before the first real `pulumi up` (docs/reference/versions.md, "Pinned versions"). Bump all of them
 * together with `kubernetesVersion`.
 */
export const addons = {
  vpcCni: { name: "vpc-cni", version: "v1.21.1-eksbuild.7" },
  kubeProxy: { name: "kube-proxy", version: "v1.34.6-eksbuild.13" },
  coredns: { name: "coredns", version: "v1.13.2-eksbuild.11" },
  podIdentityAgent: { name: "eks-pod-identity-agent", version: "v1.3.10-eksbuild.3" },
  ebsCsiDriver: { name: "aws-ebs-csi-driver", version: "v1.64.0-eksbuild.1" },
  // The CSI snapshot controller and the snapshot.storage.k8s.io CRDs, for Velero's data
  // mover. A build seen in public EKS configurations (1.33); confirm it as above.
  snapshotController: { name: "snapshot-controller", version: "v8.3.0-eksbuild.1" },
} as const satisfies Record<string, AddonPin>;

/** Helm charts of the core plugins layer and the apps layer. */
export const charts = {
  argocd: { chart: "argo-cd", version: "10.1.1", repository: "https://argoproj.github.io/argo-helm" },
  argocdApps: { chart: "argocd-apps", version: "2.0.5", repository: "https://argoproj.github.io/argo-helm" },
  velero: { chart: "velero", version: "12.1.0", repository: "https://vmware-tanzu.github.io/helm-charts" },
  awsLoadBalancerController: {
    chart: "aws-load-balancer-controller",
    version: "3.5.0",
    repository: "https://aws.github.io/eks-charts",
  },
  certManager: { chart: "cert-manager", version: "v1.21.1", repository: "https://charts.jetstack.io" },
  externalDns: {
    chart: "external-dns",
    version: "1.21.1",
    repository: "https://kubernetes-sigs.github.io/external-dns",
  },
  metricsServer: {
    chart: "metrics-server",
    version: "3.13.1",
    repository: "https://kubernetes-sigs.github.io/metrics-server",
  },
} as const satisfies Record<string, ChartPin>;

/**
 * CRD manifests Phoenix applies from pinned release URLs because no chart ships them.
 * The load balancer controller v3.5.0 requires the Gateway API v1.6.0 CRDs (its release
 * notes: with older CRDs the NLB gateway, i.e. TCPRoute/UDPRoute/TLSRoute, is disabled)
 * plus its own gateway CRDs beside the chart; both are pinned to tags, never a branch.
 */
export const crdManifests = {
  gatewayApiStandard: "https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.6.0/standard-install.yaml",
  lbcGateway:
    "https://raw.githubusercontent.com/kubernetes-sigs/aws-load-balancer-controller/v3.5.0/config/crd/gateway/gateway-crds.yaml",
} as const;

/** Container images Phoenix sets in chart values (the charts pin their own main images). */
export const images = {
  // velero-plugin-for-aws v1.14.x pairs with Velero 1.18.x (plugin README compatibility
  // table); chart 12.1.0 ships Velero 1.18.1 and its values example still shows v1.13.1.
  veleroPluginForAws: "velero/velero-plugin-for-aws:v1.14.2",
} as const;

/** A program the e2e harness builds from its Go module (test/e2e/upstream/<name>/go.mod). */
export interface UpstreamProgram {
  /** The Go module that holds the program. */
  readonly module: string;
  /** Exact module version, as the go.mod requires it. */
  readonly version: string;
  /** The binaries built: file name -> main package. */
  readonly binaries: Readonly<Record<string, string>>;
}

/**
 * The real programs the e2e harness runs (docs/architecture/e2e.md), built once into a
 * cache outside the repository. Each pairs with what Phoenix deploys: Kubernetes at the
 * minor of `kubernetesVersion`, etcd at the version that Kubernetes requires, Velero at
 * the velero chart's appVersion, its AWS plugin at `images.veleroPluginForAws`, Helm at
 * the Helm library of @pulumi/kubernetes's provider (the pin in the newest provider
 * source stored, main after 4.32.0: the Go module proxy here serves no 4.34.2 provider
 * module to read it from). test/e2e/upstream.test.ts
 * fails when these and the go.mod files drift apart.
 */
export const upstreamPrograms = {
  kubernetes: {
    module: "k8s.io/kubernetes",
    version: "v1.34.4",
    binaries: {
      "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
      "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
      "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
      kubectl: "k8s.io/kubernetes/cmd/kubectl",
    },
  },
  etcd: { module: "go.etcd.io/etcd/server/v3", version: "v3.6.4", binaries: { etcd: "go.etcd.io/etcd/server/v3" } },
  kwok: { module: "sigs.k8s.io/kwok", version: "v0.8.0", binaries: { kwok: "sigs.k8s.io/kwok/cmd/kwok" } },
  helm: { module: "helm.sh/helm/v3", version: "v3.20.2", binaries: { helm: "helm.sh/helm/v3/cmd/helm" } },
  velero: {
    module: "github.com/vmware-tanzu/velero",
    version: "v1.18.1",
    binaries: {
      velero: "github.com/vmware-tanzu/velero/cmd/velero",
      "velero-plugin-for-aws": "github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws",
    },
  },
  minio: {
    module: "github.com/minio/minio",
    version: "v0.0.0-20260212201848-7aac2a2c5b7c",
    // admin is the harness's own (test/e2e/upstream/minio/admin): the MinIO admin calls it needs, through madmin-go.
    binaries: { minio: "github.com/minio/minio", "minio-admin": "phoenix.e2e/upstream/minio/admin" },
  },
  // The CSI snapshot controller of the snapshot-controller add-on (its v8.3.0 is not
  // served here; v8.4.0 is, and its client is the one Velero v1.18.1 requires), with
  // the snapshot.storage.k8s.io CRDs from that client module.
  snapshotter: {
    module: "github.com/kubernetes-csi/external-snapshotter/v8",
    version: "v8.4.0",
    binaries: { "snapshot-controller": "github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller" },
  },
  // The engine, at @pulumi/pulumi's version (a test holds them together). Its Node.js
  // language host is a module the proxy here does not serve: test/e2e/upstream/build.ts
  // builds it from the same tag's source.
  pulumi: {
    module: "github.com/pulumi/pulumi/pkg/v3",
    version: "v3.248.0",
    binaries: { pulumi: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi" },
  },
} as const satisfies Record<string, UpstreamProgram>;

/**
 * The resource providers the engine scenarios install with `pulumi plugin install --file`
 * (test/e2e/upstream/engine.ts): `release` is what the programs ask for.
 *
 * Kubernetes is not at @pulumi/kubernetes's 4.34.2: the Go module proxy here serves no
 * provider module at 4.34.2 or at any tag (2026-12-03), only this pseudo-version, which is
 * the v4.25.0 tag's commit (f47bc2d6, `git describe` in pulumi/pulumi-kubernetes), and
 * the stored source of 4.32.0 lacks its schema.json. The e2e programs pin this release on
 * their explicit provider; what they prove (create, read, delete of core objects,
 * retainOnDelete, the engine's steps) is the provider's oldest behaviour, unchanged since.
 */
export const engineProviders = {
  kubernetes: {
    module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
    version: "v4.0.0-20260115033456-f47bc2d6f199",
    release: "4.25.0",
    // Its go.mod points the SDK at the repository's own folder; the same tag's SDK module is served.
    sdk: { module: "github.com/pulumi/pulumi-kubernetes/sdk/v4", version: "v4.25.0" },
  },
} as const;
