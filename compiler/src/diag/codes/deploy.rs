//! The codes of the deployment targets (`6xx`) and of overrides (`7xx`), in order: rows of
//! [`super::CODES`].

use super::CodeInfo;

/// The codes `6xx` and `7xx`, in order.
pub(super) static DEPLOY: &[CodeInfo] = &[
    CodeInfo {
        code: "E0601",
        title: "an imported dashboard too big for a Kubernetes ConfigMap",
        explanation: "The kubernetes and helm targets provision each dashboard from a ConfigMap, and one \
            imported dashboard alone is bigger (as a JSON string, the form it takes in the object) than \
            the 1 MiB of data the API server lets a ConfigMap hold. The message gives both sizes. Split \
            the dashboard into smaller ones (by row), or deploy the stack with another target.",
                example: r#"stack shop {
  grafana {}
}

// a dashboard of more than 1 MiB
dashboard huge = import_dashboard("./huge.json")

target kubernetes {}
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0603",
        title: "a Kubernetes resource request above its limit",
        explanation: "A `resources` block of the kubernetes target sets `cpu_request` or \
            `memory_request` above the component's `cpu` or `memory` limit, a pod the API server \
            refuses. A request is what the scheduler reserves, at most the limit: lower the \
            request or raise the limit.",
        example: r#"stack shop {
  prometheus {}
}

target kubernetes {
  resources prometheus { memory = 1GiB, memory_request = 2GiB }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0600",
        title: "a Kubernetes volume that is small for the retention (a warning)",
        explanation: "A Kubernetes target's `resources` block gives a component less `storage` than its \
            retention can plausibly need (reckoned at 64Mi a day), so the volume may fill up. Give it \
            more storage, or shorten the retention.",
        example: r#"stack shop {
  prometheus { retention = 90d }
}

target kubernetes {
  resources prometheus { storage = 1GiB }
}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0602",
        title: "an imported dashboard too big for a client-side `kubectl apply` (a warning)",
        explanation: "The kubernetes target packs config files into ConfigMaps of at most 255 KiB, \
            what a client-side `kubectl apply` can record in its `last-applied-configuration` \
            annotation (256 KiB for all of an object's annotations). One imported dashboard alone is \
            bigger, so its ConfigMap can only be applied server-side (`kubectl apply --server-side \
            -k .`, which keeps no such annotation) or by Helm. The message gives both sizes.",
                example: r#"stack shop {
  grafana {}
}

// Node Exporter Full: 457 KiB of JSON
dashboard node = import_dashboard("./node-exporter-full.json")

target kubernetes {}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0604",
        title: "a Kubernetes workload field that an existing install cannot change (a warning)",
        explanation: "A new `kubernetes/` workload changes a field that the API server will not change on the one the previous \
            build wrote into the output directory: a StatefulSet's claim `storage` or `storage_class`, its `serviceName` or \
            `podManagementPolicy`, or a selector. The files are right for a fresh install and are written, but `kubectl apply` \
            of an existing one fails. The hint gives the migration: resize the claim with `kubectl patch pvc` where its class \
            allows expansion, then `kubectl delete statefulset NAME --cascade=orphan` and apply again (the pods keep running).",
        example: "stack shop {\n  prometheus {}\n}\n\n// the previous build wrote 10GiB\ntarget kubernetes { resources prometheus { storage = 20GiB } }\n",
        files: &[],
    },
    CodeInfo {
        code: "W0605",
        title: "a loopback scrape target on Kubernetes (a warning)",
        explanation: "A scrape job of the `prometheus` block names `127.0.0.1`, `localhost` or \
            `[::1]`, and the stack deploys to Kubernetes (the kubernetes or helm target). In a \
            pod, a loopback address is the pod itself, so Prometheus scrapes its own pod and the \
            target is down (or, worse, another port of Prometheus). The compose target rewrites such \
            a target to the host, but a cluster has no one host: say where the application runs in \
            the cluster with the kubernetes target's `loopback_host = \"cart.shop.svc\"` (the \
            target's port is kept), name it by its Service in the scrape job, or let Kubernetes \
            service discovery find it (`service_discovery = true`).",
        example: r#"stack shop {
  prometheus {
    scrape app { targets = ["127.0.0.1:8080"] }
  }
}

target kubernetes {}
"#,
        files: &[],
    },
    CodeInfo {
        code: "W0606",
        title: "an API without authentication published beyond loopback (a warning)",
        explanation: "The native target's `listen` or the compose target's `publish_on` is an address \
            other than loopback (`0.0.0.0`, a LAN address), and the stack runs programs whose HTTP \
            API answers anyone: Prometheus, Alertmanager, Loki, Tempo and node-exporter have no \
            login. Anyone who reaches that address can read every series and log line, push \
            data, delete series through the admin API where it is on, and silence or inject \
            alerts. Grafana asks for a login and is not named. Keep the default `127.0.0.1` and \
            put an authenticating reverse proxy in front, or allow only trusted hosts with a \
            firewall; on Kubernetes the Services stay inside the cluster and NetworkPolicies \
            limit who reaches them.",
        example: r#"stack shop {
  prometheus {}
}

target compose { publish_on = 0.0.0.0 }
"#,
        files: &[],
    },
    CodeInfo {
        code: "E0700",
        title: "an overrides file that is not valid JSON",
        explanation: "The file given to `gstackc build --overrides` (what the Nix flake's `mkStack { \
            overrides = …; }` passes) does not parse as JSON. The error points at where the JSON \
            parser stopped.",
        example: "{ \"stack\": { \"prometheus\": { \"port\": 9091 } }\n",
        files: &[],
    },
];
