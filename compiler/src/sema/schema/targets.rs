//! The deployment targets' blocks (`target native { … }`, …) and their resources and ingress.

use super::*;

pub static RESOURCES: Schema = schema(
    "resources",
    "Resources of one component: `resources prometheus { cpu = 500m, memory = 2GiB, storage = 50GiB }`.",
    &[
        f("cpu", Ty::Cpu, None, "CPU limit."),
        f("memory", Ty::Bytes, None, "Memory limit."),
        f("cpu_request", Ty::Cpu, None, "CPU request (Kubernetes: what the scheduler reserves); default 100m, or the limit if lower."),
        f("memory_request", Ty::Bytes, None, "Memory request (Kubernetes); default 256MiB, or the limit if lower."),
        f("storage", Ty::Bytes, None, "Volume size."),
    ],
    &[],
);

pub static INGRESS: Schema = schema(
    "ingress",
    "An Ingress for Grafana.",
    &[
        req("host", Ty::Str, "Host name."),
        f("tls_secret", Ty::Str, None, "Name of an existing TLS Secret."),
        f("class", Ty::Str, None, "IngressClass name."),
    ],
    &[],
);

pub static TARGET_NATIVE: Schema = schema(
    "target native",
    "Run the stack as local processes under process-compose, listening on 127.0.0.1.",
    &[
        g(f("data_dir", Ty::Str, None, "Where every program keeps its data; default `~/.local/share/gstack/<stack>` (the stack's name)."), Grammar::Path),
        f("listen", Ty::Addr, Some(Lit::Addr("127.0.0.1")), "Address every program listens on."),
        g(f("bin", Ty::StrMap, None, "Program → binary path; default the program name on PATH."), Grammar::Path),
    ],
    &[],
);

pub static TARGET_SYSTEMD: Schema = schema(
    "target systemd",
    "One systemd unit per program plus a `gstack-<stack>.target`.",
    &[
        f("user", Ty::Bool, Some(Lit::Bool(false)), "User units instead of system units."),
        g(f("data_dir", Ty::Str, None, "Data directory; default systemd's StateDirectory."), Grammar::Path),
        g(f("bin", Ty::StrMap, None, "Program → binary path; also `bash` (the readiness probe; default `bash` on systemd's search path) and `sh` (the secrets step; default `/bin/sh`). An absolute program path also locates the program's static files: Grafana's home is `share/grafana` beside its `bin/`."), Grammar::Path),
    ],
    &[],
);

pub static TARGET_COMPOSE: Schema = schema(
    "target compose",
    "A Docker compose file.",
    &[
        f("publish_on", Ty::Addr, Some(Lit::Addr("127.0.0.1")), "Host address ports are published on."),
        g(f("project", Ty::Str, None, "Compose project name; default the stack name."), Grammar::ComposeProject),
        f("images", Ty::StrMap, None, "Component → image; default the flake's `gstack/<component>:<version>`."),
    ],
    &[b("resources", Labelled, true, &RESOURCES, "Limits for one component.")],
);

pub static TARGET_KUBERNETES: Schema = schema(
    "target kubernetes",
    "Kubernetes manifests with a kustomization.",
    &[
        g(f("namespace", Ty::Str, Some(Lit::Str("observability")), "Namespace of every object."), Grammar::Namespace),
        f("storage_class", Ty::Str, None, "StorageClass of the volume claims; passed through as written."),
        f("service_discovery", Ty::Bool, Some(Lit::Bool(false)), "Give Prometheus RBAC for Kubernetes service discovery."),
        g(
            f(
                "loopback_host",
                Ty::Str,
                None,
                "Host that scrape targets on `127.0.0.1`, `localhost` or `[::1]` name in the cluster (`cart.shop.svc`): in a pod they would be the Prometheus pod itself (W0605 when unset).",
            ),
            Grammar::Host,
        ),
        f("images", Ty::StrMap, None, "Component → image."),
        f(
            "network_policies",
            Ty::Bool,
            Some(Lit::Bool(true)),
            "Write NetworkPolicies: a default deny, and for each component the flows of the stack (between its components, to scrape targets, receivers and datasources). `false` for a cluster whose network plugin does not enforce them.",
        ),
        g(
            f(
                "egress",
                STRS,
                Some(Lit::List(&[])),
                "Egress every component may also use: a port on any address (`\"443\"`) or on a CIDR block (`\"10.0.0.0/8:5432\"`).",
            ),
            Grammar::Egress,
        ),
    ],
    &[
        b("ingress", NoLabel, false, &INGRESS, "An Ingress for Grafana."),
        b("resources", Labelled, true, &RESOURCES, "Requests/limits and storage for one component."),
    ],
);

pub static TARGET_HELM: Schema = schema(
    "target helm",
    "A Helm chart rendering the same objects as the kubernetes target.",
    &[g(f("chart", Ty::Str, None, "Chart name; default the stack name."), Grammar::ChartName), g(f("version", Ty::Str, Some(Lit::Str("0.1.0")), "Chart version."), Grammar::Version)],
    &[],
);

/// Target kinds and their schemas.
pub const TARGETS: &[(&str, &Schema)] = &[
    ("native", &TARGET_NATIVE),
    ("systemd", &TARGET_SYSTEMD),
    ("compose", &TARGET_COMPOSE),
    ("kubernetes", &TARGET_KUBERNETES),
    ("helm", &TARGET_HELM),
];
