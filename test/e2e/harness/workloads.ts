/**
 * What real workloads leave in imperative namespaces, for a backup to hold: a
 * StatefulSet with a bound claim, Deployments, ConfigMaps and Secrets, an object with an
 * owner reference and a generated name, a finished and a running Job, a NodePort
 * Service. Every pod meets the `restricted` Pod Security level the namespaces enforce.
 */
import type { KubeObject } from "./manifests";

/** The restricted level's container settings (Pod Security Standards, v1.34). */
const restricted = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  runAsUser: 1000,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function container(name: string, image: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, image, securityContext: restricted, ...extra };
}

/**
 * The workloads of `ledgerNs` (a database with a claim of `storageClass`) and `modelsNs`.
 * `volumesExcluded`: the database's pod opts its volume out of file-system backup
 * (`backup.velero.io/backup-volumes-excludes`), for a cluster with no node agent to copy it.
 */
export function workloads(
  ledgerNs: string,
  modelsNs: string,
  storageClass: string,
  volumesExcluded: boolean,
): KubeObject[] {
  const ledger = { "app.kubernetes.io/name": "ledger-db" };
  const models = { "app.kubernetes.io/name": "model-server" };
  return [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "ledger-credentials", namespace: ledgerNs },
      type: "Opaque",
      stringData: { password: "correct horse battery staple" },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "ledger-config", namespace: ledgerNs },
      data: { "postgresql.conf": "max_connections = 50\n" },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "ledger-db", namespace: ledgerNs },
      spec: { clusterIP: "None", selector: ledger, ports: [{ name: "pg", port: 5432 }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "ledger-api", namespace: ledgerNs },
      spec: { type: "NodePort", selector: ledger, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "ledger-db", namespace: ledgerNs },
      spec: {
        serviceName: "ledger-db",
        replicas: 1,
        selector: { matchLabels: ledger },
        template: {
          metadata: {
            labels: ledger,
            ...(volumesExcluded ? { annotations: { "backup.velero.io/backup-volumes-excludes": "data" } } : {}),
          },
          spec: {
            containers: [
              container("postgres", "postgres:17", {
                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql/data" }],
              }),
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: storageClass,
              resources: { requests: { storage: "1Gi" } },
            },
          },
        ],
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "ledger-migrate", namespace: ledgerNs },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: "Never", containers: [container("migrate", "postgres:17")] } },
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      // Still running when backed up: its pod waits on a node that never comes.
      metadata: { name: "ledger-reindex", namespace: ledgerNs },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: "Never",
            nodeSelector: { "phoenix.e2e/never": "true" },
            containers: [container("reindex", "postgres:17")],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "registry-token", namespace: modelsNs },
      type: "Opaque",
      stringData: { token: "s3cr3t" },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "model-index", namespace: modelsNs },
      data: { "index.json": '{"models":["resnet"]}' },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "model-server", namespace: modelsNs },
      spec: {
        replicas: 2,
        selector: { matchLabels: models },
        template: {
          metadata: { labels: models },
          spec: { containers: [container("server", "ghcr.io/example/model-server:1.0")] },
        },
      },
    },
  ] as KubeObject[];
}

/** An upload record as an app writes it: a generated name, owned by the index ConfigMap (`ownerUid`). */
export function ownedUpload(modelsNs: string, ownerUid: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      generateName: "model-upload-",
      namespace: modelsNs,
      ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "model-index", uid: ownerUid }],
    },
    data: { file: "resnet.onnx" },
  } as unknown as KubeObject;
}

/**
 * What ties a namespace to the region and cluster it runs in (`region`): an image from
 * that region's ECR, a zone nodeSelector (its pods stay Pending on kwok's zone-less node),
 * a queue ARN in a ConfigMap, a load balancer annotation naming subnets, and an IRSA
 * role on a ServiceAccount, which nothing can carry to another cluster.
 */
export function regionBound(ns: string, region: string): KubeObject[] {
  const app = { "app.kubernetes.io/name": "model-sync" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "model-sync", namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: app },
        template: {
          metadata: { labels: app },
          spec: {
            nodeSelector: { "topology.kubernetes.io/zone": `${region}a` },
            containers: [container("sync", `111122223333.dkr.ecr.${region}.amazonaws.com/model-sync:2.1`)],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "model-sync", namespace: ns },
      data: { queue: `arn:aws:sqs:${region}:111122223333:model-uploads` },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "model-sync",
        namespace: ns,
        annotations: { "service.beta.kubernetes.io/aws-load-balancer-subnets": "subnet-0abc,subnet-0def" },
      },
      spec: { selector: app, ports: [{ port: 80 }] },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: "model-sync",
        namespace: ns,
        annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/model-sync" },
      },
    },
  ] as KubeObject[];
}
