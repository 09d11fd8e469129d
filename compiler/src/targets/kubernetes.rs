//! The Kubernetes target: `kubernetes/` with one YAML file per component (ServiceAccount,
//! ConfigMap, Service, StatefulSet or Deployment, NetworkPolicy), the namespace, a default-deny
//! NetworkPolicy, optional RBAC for Prometheus' Kubernetes service discovery and an optional
//! Ingress for Grafana, listed by `kustomization.yaml`.
//!
//! Everything comes from the service records: probes, ports, users, scratch space, secrets (by
//! reference to Secrets the operator creates, mounted as files) and network flows (every
//! NetworkPolicy rule is a flow of a service record). Object shapes follow the Kubernetes API
//! reference (apps/v1, v1, networking.k8s.io/v1, rbac.authorization.k8s.io/v1).

use super::Output;
use crate::backends::{self, Ctx, HomeLayout, PeerLayout, PortRole, Root, SecretLayout, Service};
use crate::encode::shell;
use crate::ir::{self, Bytes};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

pub const CONFIG_ROOT: &str = "/etc/gstack";
pub const SECRETS_ROOT: &str = "/run/secrets";
/// Where a program that measures the host reads the host's `/`, `/proc` and `/sys`.
pub const HOST_ROOT: &str = "/host/root";
pub const HOST_PROC: &str = "/host/proc";
pub const HOST_SYS: &str = "/host/sys";

/// Labels every object of a service carries (`name`: its host name, `node-exporter`).
pub fn labels(stack: &ir::Stack, name: &str) -> Value {
    json!({
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": stack.name,
        "app.kubernetes.io/part-of": "gstack",
        "app.kubernetes.io/managed-by": "gstack",
    })
}

fn selector(stack: &ir::Stack, name: &str) -> Value {
    json!({ "app.kubernetes.io/name": name, "app.kubernetes.io/instance": stack.name })
}

pub fn ctx(stack: &ir::Stack, k: &ir::KubernetesTarget) -> Ctx {
    ctx_in(stack, k, &k.namespace)
}

/// The context of the objects placed in namespace `ns` (the Helm chart's: a token its
/// templates replace by the release's namespace).
pub fn ctx_in(stack: &ir::Stack, k: &ir::KubernetesTarget, ns: &str) -> Ctx {
    Ctx {
        listen: "0.0.0.0".into(),
        hosts: backends::hosts_all(stack, |c| format!("{}.{ns}.svc", backends::host_name(c))),
        // in the cluster, by the Service's name (what `kubectl port-forward svc/…` also serves)
        external_hosts: backends::hosts_all(stack, |c| format!("{}.{ns}.svc", backends::host_name(c))),
        config_root: Root::Fixed(CONFIG_ROOT.into()),
        data_root: Root::Conventional,
        secrets: SecretLayout::Dir(SECRETS_ROOT.into()),
        kubernetes_sd: k.service_discovery,
        // node-exporter: the host's file systems as node_exporter's docs mount them
        host_rootfs: Some(HOST_ROOT.into()),
        host_kernel_fs: Some((HOST_PROC.into(), HOST_SYS.into())),
        per_node: true,
        // the user's loopback scrape targets: the host they mean in the cluster, when given
        host_loopback: k.loopback_host.clone(),
        peers: PeerLayout::OwnHost,
        instance: None,
        home: HomeLayout::System,
        // the Ingress terminates TLS for the UI (the Helm chart: the target's own Ingress
        // settings, as its values default to)
        external_tls: k.ingress.as_ref().is_some_and(|i| i.tls_secret.is_some()),
    }
}

/// Name of the Secret the operator creates for a service's secrets.
pub fn secret_name(stack: &ir::Stack, s: &Service) -> String {
    format!("{}-{}", stack.name, s.host_name)
}

/// ConfigMap keys cannot contain `/`: `rules/alerts.yml` is stored as `rules__alerts.yml`.
fn cm_key(path: &str) -> String {
    path.replace('/', "__")
}

/// A component's resources: the limits the target sets (else 1 CPU, 1Gi), and requests of
/// their own (else 100m and 256Mi, or the limit when it is lower: a request above its limit
/// is refused by the API server).
fn resources(k: &ir::KubernetesTarget, comp: &str) -> Value {
    let r = k.resources.iter().find(|r| r.component == comp);
    let cpu = r.and_then(|r| r.cpu).map_or(1000, |c| c.0);
    let mem = r.and_then(|r| r.memory).map_or(1 << 30, |m| m.0);
    let cpu_req = r.and_then(|r| r.cpu_request).map_or(100.min(cpu), |c| c.0);
    let mem_req = r.and_then(|r| r.memory_request).map_or((256 << 20).min(mem), |m| m.0);
    let cpu_text = |m: u64| if m % 1000 == 0 { format!("{}", m / 1000) } else { format!("{m}m") };
    json!({
        "requests": { "cpu": cpu_text(cpu_req), "memory": Bytes(mem_req).to_k8s() },
        "limits": { "cpu": cpu_text(cpu), "memory": Bytes(mem).to_k8s() },
    })
}

/// Storage of a component's volume claim: from the target, else a size that fits the retention.
pub fn storage(k: &ir::KubernetesTarget, comp: &str) -> Bytes {
    k.resources.iter().find(|r| r.component == comp).and_then(|r| r.storage).unwrap_or(Bytes(10 << 30))
}

fn config_map(stack: &ir::Stack, ns: &str, s: &Service, name: &str, data: Map<String, Value>) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
        "data": data,
    })
}

/// A service's config files in ConfigMaps (`<name>-config`, `<name>-config-2`, …), in order,
/// each starting a new one when it would take the ConfigMap's JSON past
/// [`ir::CONFIGMAP_BUDGET`] (a file bigger than that alone gets one of its own: the checker
/// warns of it, W0602).
pub fn pack_files<'a>(stack: &ir::Stack, ns: &str, s: &'a Service) -> Vec<(String, Vec<&'a backends::ConfigFile>)> {
    let name = |i: usize| if i == 0 { format!("{}-config", s.host_name) } else { format!("{}-config-{}", s.host_name, i + 1) };
    let json_len = |v: &str| serde_json::to_string(v).map_or(0, |t| t.len());
    let mut packs: Vec<(String, Vec<&backends::ConfigFile>)> = vec![];
    let mut size = 0;
    for f in &s.files {
        // `"key":"content"` and a comma
        let add = json_len(&cm_key(&f.path)) + 1 + json_len(&f.content) + 1;
        match packs.last_mut() {
            Some((_, files)) if size + add <= ir::CONFIGMAP_BUDGET => {
                files.push(f);
                size += add;
            }
            _ => {
                let n = name(packs.len());
                size = serde_json::to_string(&config_map(stack, ns, s, &n, Map::new())).map_or(0, |t| t.len()) + add;
                packs.push((n, vec![f]));
            }
        }
    }
    packs
}

fn config_hash(s: &Service) -> String {
    let mut h = Sha256::new();
    for f in &s.files {
        h.update(f.path.as_bytes());
        h.update([0]);
        h.update(f.content.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn probe(p: &backends::Probe, liveness: bool) -> Value {
    let mut v = json!({
        "httpGet": { "path": p.path, "port": p.port },
        "periodSeconds": if liveness { 20 } else { 5 },
        "timeoutSeconds": 3,
        "failureThreshold": if liveness { 6 } else { 3 },
    });
    if p.initial_delay > 0 {
        v["initialDelaySeconds"] = json!(p.initial_delay);
    }
    v
}


/// The objects of one component, in apply order.
pub fn component_objects(stack: &ir::Stack, k: &ir::KubernetesTarget, s: &Service, all: &[Service]) -> Vec<Value> {
    let name = s.host_name.clone();
    let ns = &k.namespace;
    let mut objs = vec![json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
        "automountServiceAccountToken": s.kubernetes_api,
    })];
    let mut volumes = vec![json!({ "name": "tmp", "emptyDir": {} })];
    let mut mounts = vec![json!({ "name": "tmp", "mountPath": "/tmp" })];
    for (i, d) in s.scratch.iter().filter(|d| *d != "/tmp").enumerate() {
        volumes.push(json!({ "name": format!("scratch-{i}"), "emptyDir": {} }));
        mounts.push(json!({ "name": format!("scratch-{i}"), "mountPath": d }));
    }
    if !s.files.is_empty() {
        // ConfigMaps under the budget a client-side apply can record; mounted together as one
        // directory, so the program finds every file where it did
        let packs = pack_files(stack, ns, s);
        let mut sources = vec![];
        for (cm, files) in &packs {
            let data: Map<String, Value> = files.iter().map(|f| (cm_key(&f.path), json!(f.content))).collect();
            objs.push(config_map(stack, ns, s, cm, data));
            sources.push(json!({
                "name": cm,
                "items": files.iter().map(|f| json!({ "key": cm_key(&f.path), "path": f.path })).collect::<Vec<_>>(),
            }));
        }
        if let [one] = &sources[..] {
            volumes.push(json!({ "name": "config", "configMap": one }));
        } else {
            let sources: Vec<Value> = sources.into_iter().map(|c| json!({ "configMap": c })).collect();
            volumes.push(json!({ "name": "config", "projected": { "sources": sources } }));
        }
        mounts.push(json!({ "name": "config", "mountPath": format!("{CONFIG_ROOT}/{}", s.name), "readOnly": true }));
    }
    if !s.secrets.is_empty() {
        volumes.push(json!({
            "name": "secrets",
            "secret": {
                "secretName": secret_name(stack, s),
                "defaultMode": 0o440,
                "items": s.secrets.iter().map(|x| json!({ "key": x.name, "path": x.name })).collect::<Vec<_>>(),
            },
        }));
        mounts.push(json!({ "name": "secrets", "mountPath": format!("{SECRETS_ROOT}/{}", s.name), "readOnly": true }));
    }
    // measures the host: one pod per node, on the node's PID and network namespaces, with
    // the host's directories read-only (a host path needs no claim)
    let per_node = s.host_rootfs.is_some();
    for m in &s.host_mounts {
        // `host-root`, `host-proc`, `host-sys`
        let vol = if m.host == "/" { "host-root".to_string() } else { format!("host{}", m.host.replace('/', "-")) };
        volumes.push(json!({ "name": vol, "hostPath": { "path": m.host, "type": "Directory" } }));
        let mut mount = json!({ "name": vol, "mountPath": m.path, "readOnly": true });
        if m.host == "/" {
            // file systems the host mounts later appear too (node_exporter's `rslave`)
            mount["mountPropagation"] = json!("HostToContainer");
        }
        mounts.push(mount);
    }
    let stateful = s.stateful && !s.data_dirs.is_empty();
    if !s.data_dirs.is_empty() {
        if !stateful {
            volumes.push(json!({ "name": "data", "emptyDir": {} }));
        }
        mounts.push(json!({ "name": "data", "mountPath": s.image_data_dir }));
    }
    // the kubelet expands `$(VAR)` in args and reads `$$` as `$`: every `$` doubled, so the
    // program gets exactly the record's argument (no argument of ours names a variable)
    let args: Vec<String> = s.args.iter().map(|a| crate::encode::dollar::kubelet(a)).collect();
    let container = json!({
        "name": name,
        "image": k.images.get(s.component.name()).cloned().unwrap_or_else(|| s.image.clone()),
        "imagePullPolicy": "IfNotPresent",
        "command": [s.program],
        "args": args,
        "ports": s.ports.iter().map(|p| json!({ "name": p.name, "containerPort": p.port, "protocol": "TCP" })).collect::<Vec<_>>(),
        "readinessProbe": probe(&s.readiness, false),
        "livenessProbe": probe(&s.liveness, true),
        "resources": resources(k, s.component.name()),
        "securityContext": {
            "runAsNonRoot": true,
            "runAsUser": s.user.uid,
            "runAsGroup": s.user.gid,
            "allowPrivilegeEscalation": false,
            "readOnlyRootFilesystem": true,
            "privileged": false,
            "capabilities": { "drop": ["ALL"] },
            "seccompProfile": { "type": "RuntimeDefault" },
        },
        "volumeMounts": mounts,
    });
    let mut pod = json!({
        "metadata": { "labels": labels(stack, &s.host_name), "annotations": { "gstack.dev/config-hash": config_hash(s) } },
        "spec": {
            "serviceAccountName": name,
            "automountServiceAccountToken": s.kubernetes_api,
            "securityContext": {
                "runAsNonRoot": true,
                "runAsUser": s.user.uid,
                "runAsGroup": s.user.gid,
                "fsGroup": if s.user.gid == 0 { s.user.uid } else { s.user.gid },
                "seccompProfile": { "type": "RuntimeDefault" },
            },
            "terminationGracePeriodSeconds": s.stop_timeout,
            "containers": [container],
            "volumes": volumes,
        },
    });
    if per_node {
        let spec = pod["spec"].as_object_mut().expect("pod spec");
        spec.insert("hostPID".into(), json!(true));
        spec.insert("hostNetwork".into(), json!(true));
        // the node's resolver would not know the cluster's names
        spec.insert("dnsPolicy".into(), json!("ClusterFirstWithHostNet"));
        // every node, control-plane and tainted ones too
        spec.insert("tolerations".into(), json!([{ "operator": "Exists" }]));
    }
    let workload = if per_node {
        json!({
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
            "spec": {
                "selector": { "matchLabels": selector(stack, &s.host_name) },
                "updateStrategy": { "type": "RollingUpdate", "rollingUpdate": { "maxUnavailable": 1 } },
                "template": pod,
            },
        })
    } else if stateful {
        // written as the API server stores it (apiVersion, kind, volumeMode, status): the
        // list has no merge key, so a client-side apply replaces it whenever the stored one
        // differs, and reported the StatefulSet `configured` on every apply
        let mut claim = json!({
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": { "name": "data", "labels": labels(stack, &s.host_name) },
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": { "requests": { "storage": storage(k, s.component.name()).to_k8s() } },
                "volumeMode": "Filesystem",
            },
            "status": { "phase": "Pending" },
        });
        if let Some(sc) = &k.storage_class {
            claim["spec"]["storageClassName"] = json!(sc);
        }
        json!({
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
            "spec": {
                "serviceName": name,
                "replicas": 1,
                "selector": { "matchLabels": selector(stack, &s.host_name) },
                "template": pod,
                "volumeClaimTemplates": [claim],
            },
        })
    } else {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
            "spec": { "replicas": 1, "selector": { "matchLabels": selector(stack, &s.host_name) }, "template": pod },
        })
    };
    let mut svc = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": { "name": name, "namespace": ns, "labels": labels(stack, &s.host_name) },
        "spec": {
            "type": "ClusterIP",
            "selector": selector(stack, &s.host_name),
            "ports": s.ports.iter().map(|p| json!({ "name": p.name, "port": p.port, "targetPort": p.name, "protocol": "TCP" })).collect::<Vec<_>>(),
        },
    });
    if per_node {
        // headless: the name resolves to every node's address (the pods' IPs on the host
        // network), which scrapers discover by DNS; one virtual IP would reach one node
        svc["spec"]["clusterIP"] = json!("None");
    }
    objs.push(svc);
    objs.push(workload);
    if k.network_policies {
        objs.push(network_policy(stack, k, s, all));
    }
    objs
}

/// The flows into `s`: (from service's host name, port), derived from every service record's
/// flows (into every peer of a replicated component).
pub fn inbound(s: &Service, all: &[Service]) -> Vec<(String, u16)> {
    inbound_flows(s, all).into_iter().map(|(h, p, _)| (h, p)).collect()
}

/// [`inbound`] with whether each flow is UDP as well as TCP.
fn inbound_flows(s: &Service, all: &[Service]) -> Vec<(String, u16, bool)> {
    let mut v: Vec<(String, u16, bool)> =
        all.iter().filter(|o| o.host_name != s.host_name).flat_map(|o| o.flows.iter().filter(|f| f.to == s.component).map(|f| (o.host_name.clone(), f.port, f.udp))).collect();
    v.sort();
    v.dedup();
    v
}

/// A NetworkPolicy rule's `ports` for one flow: TCP, and UDP too for gossip.
fn flow_ports(port: u16, udp: bool) -> Value {
    if udp {
        json!([{ "protocol": "TCP", "port": port }, { "protocol": "UDP", "port": port }])
    } else {
        json!([{ "protocol": "TCP", "port": port }])
    }
}

/// Ports of `s` open to anything (clients outside the stack): the ingest endpoints
/// applications push to ([`PortRole::Ingest`]), and a UI when an Ingress exists.
pub fn open_ports(k: &ir::KubernetesTarget, s: &Service) -> Vec<u16> {
    s.ports
        .iter()
        .filter(|p| p.role == PortRole::Ingest || (p.role == PortRole::Ui && k.ingress.is_some()))
        .map(|p| p.port)
        .collect()
}

/// The service an Ingress points at: the first with a UI port, and that port.
fn ui(services: &[Service]) -> Option<(&Service, u16)> {
    services.iter().find_map(|s| s.ports.iter().find(|p| p.role == PortRole::Ui).map(|p| (s, p.port)))
}

fn network_policy(stack: &ir::Stack, k: &ir::KubernetesTarget, s: &Service, all: &[Service]) -> Value {
    let mut ingress = vec![];
    for (from, port, udp) in inbound_flows(s, all) {
        ingress.push(json!({
            "from": [{ "podSelector": { "matchLabels": selector(stack, &from) } }],
            "ports": flow_ports(port, udp),
        }));
    }
    let open = open_ports(k, s);
    if !open.is_empty() {
        ingress.push(json!({ "ports": open.iter().map(|p| json!({ "protocol": "TCP", "port": p })).collect::<Vec<_>>() }));
    }
    let mut egress = vec![json!({
        "to": [{ "namespaceSelector": {}, "podSelector": { "matchLabels": { "k8s-app": "kube-dns" } } }],
        "ports": [{ "protocol": "UDP", "port": 53 }, { "protocol": "TCP", "port": 53 }],
    })];
    for f in &s.flows {
        let to_per_node = all.iter().any(|o| o.component == f.to && o.host_rootfs.is_some());
        if to_per_node {
            // pods on the host network have the nodes' addresses, which a pod selector does
            // not match on most network plugins: the port on any address
            egress.push(json!({ "ports": [{ "protocol": "TCP", "port": f.port }] }));
            continue;
        }
        // every service of the component (each peer of a replicated one), but this one
        let to: Vec<Value> = all
            .iter()
            .filter(|o| o.component == f.to && o.host_name != s.host_name)
            .map(|o| json!({ "podSelector": { "matchLabels": selector(stack, &o.host_name) } }))
            .collect();
        if to.is_empty() {
            continue;
        }
        egress.push(json!({ "to": to, "ports": flow_ports(f.port, f.udp) }));
    }
    // flows out of the stack (scrape targets, alert receivers, datasources) and the target's
    // own `egress` list without a block: their ports on any address (a policy cannot name a
    // host, and the address behind a name or a secret URL is not known here)
    let mut ports: Vec<u16> = s.external_flows.iter().map(|f| f.port).chain(k.egress.iter().filter(|e| e.cidr.is_none()).map(|e| e.port)).collect();
    ports.sort();
    ports.dedup();
    if !ports.is_empty() {
        egress.push(json!({ "ports": ports.iter().map(|p| json!({ "protocol": "TCP", "port": p })).collect::<Vec<_>>() }));
    }
    for e in &k.egress {
        if let Some(cidr) = &e.cidr {
            egress.push(json!({ "to": [{ "ipBlock": { "cidr": cidr } }], "ports": [{ "protocol": "TCP", "port": e.port }] }));
        }
    }
    if s.kubernetes_api {
        // the API server
        egress.push(json!({ "ports": [{ "protocol": "TCP", "port": 443 }, { "protocol": "TCP", "port": 6443 }] }));
        // the pods it discovers, in any namespace, on the ports their annotations name
        egress.push(json!({ "to": [{ "namespaceSelector": {} }] }));
    }
    json!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": { "name": s.host_name, "namespace": k.namespace, "labels": labels(stack, &s.host_name) },
        "spec": {
            "podSelector": { "matchLabels": selector(stack, &s.host_name) },
            "policyTypes": ["Ingress", "Egress"],
            "ingress": ingress,
            "egress": egress,
        },
    })
}

/// Objects not tied to one component: the default deny, RBAC for the services that
/// talk to the Kubernetes API, the Ingress to the UI.
pub fn shared_objects(stack: &ir::Stack, k: &ir::KubernetesTarget, services: &[Service]) -> Vec<(String, Vec<Value>)> {
    let ns = &k.namespace;
    let part = json!({ "app.kubernetes.io/part-of": "gstack", "app.kubernetes.io/instance": stack.name, "app.kubernetes.io/managed-by": "gstack" });
    // no Namespace: the user's, created before (`kubectl create namespace`, `helm install
    // --create-namespace`), so that deleting the stack never deletes it with its Secrets
    let mut out = vec![];
    if k.network_policies {
        out.push((
            "default-deny.yaml".to_string(),
            vec![json!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": { "name": "default-deny", "namespace": ns, "labels": part },
                "spec": { "podSelector": {}, "policyTypes": ["Ingress", "Egress"] },
            })],
        ));
    }
    for s in services.iter().filter(|s| s.kubernetes_api) {
        // cluster-scoped: named after the namespace too, so that the same stack in two
        // namespaces does not share (and prune) one ClusterRole
        let role = cluster_role_name(stack, ns, &s.host_name);
        out.push((
            "rbac.yaml".to_string(),
            vec![
                json!({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRole",
                    "metadata": { "name": role, "labels": labels(stack, &s.host_name) },
                    "rules": [
                        { "apiGroups": [""], "resources": ["nodes", "services", "endpoints", "pods"], "verbs": ["get", "list", "watch"] },
                        { "apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"] },
                        { "nonResourceURLs": ["/metrics"], "verbs": ["get"] },
                    ],
                }),
                json!({
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": { "name": role, "labels": labels(stack, &s.host_name) },
                    "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role },
                    "subjects": [{ "kind": "ServiceAccount", "name": s.host_name, "namespace": ns }],
                }),
            ],
        ));
    }
    if let (Some(i), Some((s, port))) = (&k.ingress, ui(services)) {
        let mut ing = json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": { "name": s.host_name, "namespace": ns, "labels": labels(stack, &s.host_name) },
            "spec": { "rules": [{ "host": i.host, "http": { "paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": { "service": { "name": s.host_name, "port": { "number": port } } },
            }] } }] },
        });
        if let Some(c) = &i.class {
            ing["spec"]["ingressClassName"] = json!(c);
        }
        if let Some(t) = &i.tls_secret {
            ing["spec"]["tls"] = json!([{ "hosts": [i.host], "secretName": t }]);
        }
        out.push(("ingress.yaml".to_string(), vec![ing]));
    }
    out
}

/// Several objects as one multi-document YAML file.
pub fn yaml_docs(objs: &[Value]) -> String {
    objs.iter().map(|o| format!("---\n{}", backends::yaml(o))).collect()
}

/// The label every top-level object carries with the namespace its stack lives in, so that
/// pruning one stack's cluster-scoped objects (ClusterRoles) never selects those of a stack of
/// the same name in another namespace. Pod and claim templates do not carry it (a claim
/// template is immutable).
pub const NAMESPACE_LABEL: &str = "gstack.dev/namespace";

/// Every kind of object the target writes, as `group/version/Kind` (`core` for the core
/// group, the form of `kubectl apply --prune-allowlist`) with the resource name `kubectl get`
/// takes: what [`apply_script`] may prune. Secrets and PersistentVolumeClaims are not among
/// them: the operator creates the Secrets, and the StatefulSets' claims (which carry the
/// stack's labels) hold the data.
pub const PRUNE_KINDS: &[(&str, &str)] = &[
    ("core/v1/ConfigMap", "configmaps"),
    ("core/v1/Service", "services"),
    ("core/v1/ServiceAccount", "serviceaccounts"),
    ("apps/v1/Deployment", "deployments.apps"),
    ("apps/v1/StatefulSet", "statefulsets.apps"),
    ("apps/v1/DaemonSet", "daemonsets.apps"),
    ("networking.k8s.io/v1/NetworkPolicy", "networkpolicies.networking.k8s.io"),
    ("networking.k8s.io/v1/Ingress", "ingresses.networking.k8s.io"),
    ("rbac.authorization.k8s.io/v1/ClusterRole", "clusterroles.rbac.authorization.k8s.io"),
    ("rbac.authorization.k8s.io/v1/ClusterRoleBinding", "clusterrolebindings.rbac.authorization.k8s.io"),
];

/// `group/version/Kind` of an object, as in [`PRUNE_KINDS`].
pub fn prune_kind(o: &Value) -> String {
    let api = o["apiVersion"].as_str().unwrap_or_default();
    let api = if api.contains('/') { api.to_string() } else { format!("core/{api}") };
    format!("{api}/{}", o["kind"].as_str().unwrap_or_default())
}

/// The label selector that picks every object of this stack in its namespace (and its
/// cluster-scoped objects): what the apply script prunes by.
pub fn prune_selector(stack: &ir::Stack, k: &ir::KubernetesTarget) -> String {
    format!("app.kubernetes.io/part-of=gstack,app.kubernetes.io/instance={},{NAMESPACE_LABEL}={}", stack.name, k.namespace)
}

/// The name of the ClusterRole (and its binding) of service `host` of the stack in namespace
/// `ns`: `<stack>-<ns>-<host>-discovery` (the Helm chart templates the same form).
pub fn cluster_role_name(stack: &ir::Stack, ns: &str, host: &str) -> String {
    format!("{}-{ns}-{host}-discovery", stack.name)
}

/// Every object of the target, grouped by file name.
pub fn files(stack: &ir::Stack, k: &ir::KubernetesTarget, services: &[Service]) -> Vec<(String, Vec<Value>)> {
    let mut files = shared_objects(stack, k, services);
    for s in services {
        files.push((format!("{}.yaml", s.host_name), component_objects(stack, k, s, services)));
    }
    for o in files.iter_mut().flat_map(|(_, objs)| objs.iter_mut()) {
        debug_assert!(PRUNE_KINDS.iter().any(|(gvk, _)| *gvk == prune_kind(o)), "{} is not in PRUNE_KINDS", prune_kind(o));
        o["metadata"]["labels"][NAMESPACE_LABEL] = json!(k.namespace);
    }
    files
}

/// `kubernetes/apply`: the one command that deploys the manifests beside it (the flake's
/// `grafana-stack-k8s-apply` runs it). In order:
///
/// 1. refuses when the namespace does not exist (nothing is applied, not even the
///    cluster-scoped objects);
/// 2. `kubectl apply --server-side --field-manager=gstack-<stack> -k` (server-side: a
///    ConfigMap over 256 KiB cannot be applied client-side, W0602; the stack's own field
///    manager, so that another stack applied into the same namespace conflicts instead of
///    silently taking the objects over);
/// 3. prunes: every object of [`PRUNE_KINDS`] matching [`prune_selector`] that this apply did
///    not name is deleted (kubectl refuses its own `--prune` with `--server-side`, and its
///    client-side prune only sees objects carrying the client-side annotation). Listing the
///    namespace's objects must succeed (else it stops, exit 1); listing the cluster-scoped
///    kinds may be forbidden to a namespace-only user (a warning: an earlier build's
///    ClusterRoles are then not pruned);
/// 4. `kubectl rollout status` of every workload (`GSTACK_ROLLOUT_TIMEOUT`, default 300s),
///    naming each that is not rolled out; exit 1 if any.
///
/// Its arguments are global kubectl flags given to every call (`--context=…`,
/// `--kubeconfig=…`); `GSTACK_DRY_RUN=1` applies with `--dry-run=server` and only lists what
/// would be pruned. Object names are compared as `kubectl … -o name` prints them
/// (`deployment.apps/grafana`). Written for bash 3.2 and later.
pub fn apply_script(stack: &ir::Stack, k: &ir::KubernetesTarget) -> String {
    let cluster = |(gvk, _): &&(&str, &str)| gvk.contains("/ClusterRole");
    let namespaced: Vec<&str> = PRUNE_KINDS.iter().filter(|p| !cluster(p)).map(|(_, r)| *r).collect();
    let clustered: Vec<&str> = PRUNE_KINDS.iter().filter(cluster).map(|(_, r)| *r).collect();
    format!(
        r#"#!/usr/bin/env bash
# Generated by gstackc: apply the manifests beside this script server-side, delete what an
# earlier apply created that the stack no longer has (only objects with the stack's labels,
# only of the kinds gstackc writes: never Secrets or PersistentVolumeClaims), then wait for
# every rollout. Create the namespace and the Secrets first (kustomization.yaml says how).
# Arguments are global kubectl flags for every call (--context=..., --kubeconfig=...);
# GSTACK_DRY_RUN=1 applies with --dry-run=server and only lists what would be pruned.
set -euo pipefail
export LC_ALL=C # one collation for sort and comm
unset CDPATH
src=${{BASH_SOURCE[0]}}
if [ -L "$src" ]; then src=$(readlink -f -- "$src"); fi
dir=$(cd -- "$(dirname -- "$src")" && pwd -P)
ns={ns}
selector={sel}
manager={manager}
timeout=${{GSTACK_ROLLOUT_TIMEOUT:-300s}}
dry=
case ${{GSTACK_DRY_RUN:-}} in
  "" | 0 | false | no) ;;
  *) dry=--dry-run=server ;;
esac
# (a user who may not read namespaces gets Forbidden: then the apply itself will say)
if ! err=$(kubectl "$@" get namespace "$ns" -o name 2>&1 >/dev/null); then
  case $err in
    *NotFound* | *"not found"*)
      echo "apply: namespace $ns does not exist: create it first (kubectl create namespace $ns); nothing applied" >&2
      exit 1
      ;;
  esac
fi
applied=$(kubectl "$@" apply --server-side --field-manager="$manager" ${{dry:+"$dry"}} -k "$dir" -o name)
printf '%s\n' "$applied"
if ! have=$(kubectl "$@" -n "$ns" get {namespaced} -l "$selector" -o name); then
  echo "apply: applied, but not pruned: the stack's objects in $ns cannot be listed" >&2
  exit 1
fi
if cluster=$(kubectl "$@" get {clustered} -l "$selector" -o name); then
  have="$have
$cluster"
else
  echo "apply: warning: ClusterRoles and ClusterRoleBindings cannot be listed: an earlier build's are not pruned" >&2
fi
for gone in $(comm -23 <(sort -u <<<"$have") <(sort -u <<<"$applied")); do
  if [ -n "$dry" ]; then
    echo "$gone would be pruned"
    continue
  fi
  case $gone in
    clusterrole*) kubectl "$@" delete "$gone" --ignore-not-found ;;
    *) kubectl "$@" -n "$ns" delete "$gone" --ignore-not-found ;;
  esac
done
if [ -n "$dry" ]; then exit 0; fi
failed=0
for workload in $(kubectl "$@" -n "$ns" get deployments,statefulsets,daemonsets -l "$selector" -o name); do
  if ! kubectl "$@" -n "$ns" rollout status "$workload" --timeout="$timeout"; then
    echo "apply: $workload is not rolled out after $timeout" >&2
    failed=1
  fi
done
exit "$failed"
"#,
        ns = shell::quote(&k.namespace),
        sel = shell::quote(&prune_selector(stack, k)),
        manager = shell::quote(&field_manager(stack)),
        namespaced = namespaced.join(","),
        clustered = clustered.join(","),
    )
}

/// The field manager of the stack's server-side applies: `gstack-<stack>`.
pub fn field_manager(stack: &ir::Stack) -> String {
    format!("gstack-{}", stack.name)
}

/// The commands that create the Secrets the manifests mount (for the kustomization header).
/// Each is one line of bash: every source value is shell-quoted ([`shell::quote`], `$'…'`
/// for control characters, so a command never spans lines), and a secret given as an
/// environment variable is read through a file descriptor (`<(printf %s "$VAR")`), never
/// put on a command line.
pub fn secret_commands(stack: &ir::Stack, k: &ir::KubernetesTarget, services: &[Service]) -> Vec<String> {
    services
        .iter()
        .filter(|s| !s.secrets.is_empty())
        .map(|s| {
            let parts: Vec<String> = s
                .secrets
                .iter()
                .map(|x| match &x.secret {
                    ir::SecretRef::File(p) => shell::quote(&format!("--from-file={}={p}", x.name)),
                    ir::SecretRef::Env(e) => match shell::env_name(e) {
                        Some(e) => format!("{}=<(printf %s \"${e}\")", shell::quote(&format!("--from-file={}", x.name))),
                        // not a plain variable name: read indirectly, the name quoted
                        None => format!("{}=<(n={}; printf %s \"${{!n}}\")", shell::quote(&format!("--from-file={}", x.name)), shell::quote(e)),
                    },
                })
                .collect();
            format!("kubectl -n {} create secret generic {} {}", shell::quote(&k.namespace), shell::quote(&secret_name(stack, s)), parts.join(" "))
        })
        .collect()
}

/// The kubernetes target's files, from the service records of its context ([`ctx`]).
pub fn render(stack: &ir::Stack, k: &ir::KubernetesTarget, services: &[Service]) -> Vec<Output> {
    let files = files(stack, k, services);
    let mut out: Vec<Output> = files.iter().map(|(f, objs)| Output::file(format!("kubernetes/{f}"), yaml_docs(objs))).collect();
    let mut header = format!(
        "# Generated by gstackc. Create the namespace (the manifests never own it), then the Secrets, then apply:\n#   kubectl create namespace {}\n",
        shell::quote(&k.namespace)
    );
    for c in secret_commands(stack, k, services) {
        // one comment line each: the commands hold no line break (control characters are
        // `$'…'`-quoted); anything that would still end the line is a bug
        debug_assert!(!c.contains(['\n', '\r']), "{c:?}");
        header.push_str(&format!("#   {}\n", c.replace(['\n', '\r'], " ")));
    }
    header.push_str(&format!(
        "#   ./apply    (server-side apply, pruning what the stack dropped, rollout status; or: kubectl apply --server-side --field-manager={} -k .)\n",
        field_manager(stack)
    ));
    let kust = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": files.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(),
    });
    out.push(Output::file("kubernetes/kustomization.yaml", format!("{header}{}", backends::yaml(&kust))));
    out.push(Output { path: "kubernetes/apply".into(), content: apply_script(stack, k), executable: true });
    out
}
