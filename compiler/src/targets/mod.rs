//! Target renderers: one per deployment, each reading only [`Service`] records (plus the
//! target's own IR block) and writing files under the output directory.

pub mod compose;
pub mod helm;
pub mod kubernetes;
pub mod native;
pub mod nix;
pub mod systemd;

use crate::backends::{ConfigFile, Service};
use crate::ir;
use std::path::Path;

/// The targets `gstackc build --target` accepts.
pub const TARGET_NAMES: &[&str] = &["native", "systemd", "compose", "kubernetes", "helm", "nix"];

/// A generated file: path relative to the output directory, content, executable bit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    pub path: String,
    pub content: String,
    pub executable: bool,
}

impl Output {
    pub fn file(path: impl Into<String>, content: impl Into<String>) -> Output {
        Output { path: path.into(), content: content.into(), executable: false }
    }
}

/// Every file of every requested target (`only`: one target name, or all declared).
pub fn render(stack: &ir::Stack, only: Option<&str>) -> Vec<Output> {
    let mut out = vec![];
    let want = |t: &str| only.map_or(true, |o| o == t);
    if want("native") {
        if let Some(n) = &stack.targets.native {
            out.extend(native::render(stack, n));
        }
    }
    if want("systemd") {
        if let Some(t) = &stack.targets.systemd {
            out.extend(systemd::render(stack, t));
        }
    }
    if want("compose") {
        if let Some(c) = &stack.targets.compose {
            out.extend(compose::render(stack, c));
        }
    }
    if want("kubernetes") {
        if let Some(k) = &stack.targets.kubernetes {
            out.extend(kubernetes::render(stack, k));
        }
    }
    if want("helm") {
        if let Some(h) = &stack.targets.helm {
            // the chart renders the kubernetes target's objects (its defaults if not declared)
            let k = stack.targets.kubernetes.clone().unwrap_or(crate::ir::KubernetesTarget {
                namespace: "observability".into(),
                storage_class: None,
                ingress: None,
                service_discovery: false,
                images: Default::default(),
                resources: vec![],
            });
            out.extend(helm::render(stack, h, &k));
        }
    }
    if want("nix") {
        out.extend(nix::render(stack));
    }
    out
}

/// Config files of one service placed under `dir/<service>/`.
pub fn config_outputs(dir: &str, s: &Service) -> Vec<Output> {
    s.files.iter().map(|ConfigFile { path, content, .. }| Output::file(format!("{dir}/{}/{path}", s.name), content.clone())).collect()
}

/// Write outputs under `root`, replacing what the previous build wrote there and keeping the
/// user's own files: see [`crate::outdir::replace`] for the exact semantics (paths must stay
/// inside `root`, symlinks are never followed, stale files of the previous build are removed
/// by its manifest `root/.gstack-manifest`, a failure leaves `root` as it was).
/// Errors: `InvalidInput` for a path outside `root`, `AlreadyExists` for a user's entry in
/// the way, else the I/O error.
pub fn write(root: &Path, outputs: &[Output]) -> std::io::Result<()> {
    crate::outdir::replace(root, outputs)
}
