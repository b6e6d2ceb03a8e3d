/**
 * The EKS control plane and its nodes. Each rule reads both the `@pulumi/eks` component
 * (`eks:index:Cluster`, whose inputs a preview shows) and the `aws.eks.Cluster` it
 * creates inside its provider plugin (which a real preview also hands to policies).
 */
import type { PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { isComputed, isRecord, list, record, strings, type PhoenixPolicy } from "./common";

const EKS_COMPONENT = "eks:index:Cluster";
const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

/** Every control-plane log type EKS offers (EKS user guide, "Control plane logs"). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/** Whether a value is set: a non-empty string, or a value only the cloud knows. */
function isSet(v: unknown): boolean {
  return typeof v === "string" && (v.length > 0 || isComputed(v));
}

/** The cluster's settings the rules read, from either resource type; undefined for any other type. */
function clusterView(
  args: Pick<ResourceValidationArgs, "type" | "props">,
): { secretsKey: boolean; logTypes: string[]; publicAccess: boolean; publicCidrs: string[] } | undefined {
  const p = args.props;
  if (args.type === EKS_COMPONENT) {
    return {
      secretsKey: isSet(p.encryptionConfigKeyArn),
      logTypes: strings(p.enabledClusterLogTypes),
      // pulumi-eks turns the public endpoint on unless told otherwise (ClusterArgs.endpointPublicAccess).
      publicAccess: p.endpointPublicAccess !== false,
      publicCidrs: strings(p.publicAccessCidrs),
    };
  }
  if (args.type === EKS_CLUSTER) {
    const enc = list(p.encryptionConfig).filter(isRecord);
    const vpc = record(p.vpcConfig);
    return {
      secretsKey: enc.some((e) => strings(e.resources).includes("secrets") && isSet(record(e.provider).keyArn)),
      logTypes: strings(p.enabledClusterLogTypes),
      // The EKS API's default for endpointPublicAccess is true (CreateCluster, VpcConfigRequest).
      publicAccess: vpc.endpointPublicAccess !== false,
      publicCidrs: strings(vpc.publicAccessCidrs),
    };
  }
  return undefined;
}

function onCluster(check: (view: NonNullable<ReturnType<typeof clusterView>>, report: ReportViolation) => void) {
  return (args: ResourceValidationArgs, report: ReportViolation): void => {
    const view = clusterView(args);
    if (view) check(view, report);
  };
}

/** Mandatory: Kubernetes secrets are envelope-encrypted with a KMS key. */
export const eksSecretsEncrypted: PhoenixPolicy = {
  name: "eks-secrets-encrypted",
  description:
    'EKS encrypts Kubernetes secrets with a customer KMS key: etcd backups and snapshots then hold no readable secret (EKS best practices, "Encrypt Kubernetes secrets").',
  enforcementLevel: "mandatory",
  validateResource: onCluster((view, report) => {
    if (!view.secretsKey)
      report("Kubernetes secrets are not envelope-encrypted: give the cluster a KMS key (encryptionConfigKeyArn)");
  }),
};

/** Advisory: every control-plane log type goes to CloudWatch. */
export const eksControlPlaneLogs: PhoenixPolicy = {
  name: "eks-control-plane-logs",
  description:
    "Every control-plane log type is sent to CloudWatch; audit and authenticator logs are what an incident review needs. Advisory: a stack may drop a type for cost (phoenix:cluster.logTypes), and the plan then says so.",
  enforcementLevel: "advisory",
  validateResource: onCluster((view, report) => {
    const missing = CONTROL_PLANE_LOG_TYPES.filter((t) => !view.logTypes.includes(t));
    if (missing.length > 0) report(`control-plane log types off: ${missing.join(", ")} (phoenix:cluster.logTypes)`);
  }),
};

/** Mandatory: the public API endpoint, where on, is not open to the whole internet. */
export const eksEndpointNotWorldOpen: PhoenixPolicy = {
  name: "eks-endpoint-not-world-open",
  description:
    "A public Kubernetes API endpoint is limited to named networks; one open to 0.0.0.0/0 exposes the API server to every scanner on the internet.",
  enforcementLevel: "mandatory",
  validateResource: onCluster((view, report) => {
    if (!view.publicAccess) return;
    // Without CIDRs EKS opens the public endpoint to 0.0.0.0/0 (VpcConfigRequest.publicAccessCidrs).
    if (view.publicCidrs.length === 0 || view.publicCidrs.includes("0.0.0.0/0")) {
      report(
        "the public API endpoint is open to 0.0.0.0/0: list the networks that need it in phoenix:cluster.endpoint.publicAccessCidrs, or turn publicAccess off",
      );
    }
  }),
};

/** What makes a launch template unfit for a node group. */
export function launchTemplateProblems(props: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const md = record(props.metadataOptions);
  if (md.httpTokens !== "required") problems.push('allows IMDSv1: set metadataOptions.httpTokens to "required"');
  if (md.httpPutResponseHopLimit !== 1)
    problems.push(
      "lets containers reach the instance metadata service: set metadataOptions.httpPutResponseHopLimit to 1",
    );
  const ebs = list(props.blockDeviceMappings)
    .filter(isRecord)
    .map((m) => record(m.ebs));
  if (ebs.length === 0) problems.push("leaves the root volume to the AMI's defaults: map it with ebs.encrypted true");
  if (ebs.some((e) => e.encrypted !== "true" && e.encrypted !== true))
    problems.push("has an unencrypted EBS volume: set ebs.encrypted to true on every block device mapping");
  return problems;
}

/** What is wrong with one node group: no launch template, one this stack does not create, or a weak one. */
function nodeGroupProblems(group: PolicyResource): string[] {
  const lt = record(group.props.launchTemplate);
  if (!isSet(lt.id) && !isSet(lt.name))
    return [
      "has no launch template: EKS's default allows IMDSv1 and a hop limit of 2; give it the cluster's hardened launch template",
    ];
  const templates = group.dependencies.filter((d) => d.type === LAUNCH_TEMPLATE);
  if (templates.length === 0) {
    return [
      `boots from launch template ${String(lt.id ?? lt.name)}, which this stack does not create, so nothing checks its settings: use the cluster's hardened launch template`,
    ];
  }
  return templates
    .filter((t) => launchTemplateProblems(t.props).length > 0)
    .map((t) => `boots from launch template ${t.name}, which is not hardened (see its own violations)`);
}

/** Mandatory (stack): managed node groups boot from a launch template of the stack with IMDSv2 only, hop limit 1, encrypted volumes. */
export const nodeGroupsHardened: PhoenixPolicy = {
  name: "node-groups-imdsv2-encrypted",
  description:
    'Managed node groups boot from a launch template this stack creates, which requires IMDSv2 with a hop limit of 1 (pods cannot reach the node role\'s credentials through the instance metadata service) and encrypts every EBS volume (EKS best practices, "Restrict access to the instance profile").',
  enforcementLevel: "mandatory",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const groups = args.resources.filter((r) => r.type === NODE_GROUP);
    const templates = args.resources.filter((r) => r.type === LAUNCH_TEMPLATE);
    if (groups.length === 0 && templates.length === 0)
      args.notApplicable("no node group or launch template in this stack");
    for (const t of templates)
      for (const p of launchTemplateProblems(t.props)) report(`launch template ${t.name} ${p}`, t.urn);
    for (const g of groups) for (const p of nodeGroupProblems(g)) report(`node group ${g.name} ${p}`, g.urn);
  },
};
