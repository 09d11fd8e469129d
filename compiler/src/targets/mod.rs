//! Target renderers: one per deployment, each reading only [`Service`] records (plus the
//! target's own IR block) and writing files under the output directory.

pub mod compose;
pub mod helm;
pub mod kubernetes;
pub mod native;
pub mod nix;
pub mod systemd;

use crate::backends::{self, ConfigFile, Ctx, Service};
use crate::encode::Refusal;
use crate::ir;
use std::path::Path;

/// The targets `gstackc build --target` accepts.
pub const TARGET_NAMES: &[&str] = &["native", "systemd", "compose", "kubernetes", "helm", "nix"];

/// Whether [`render`] has anything to write for target `name` of `stack`: the stack declares
/// `target <name>`; `nix` always (the native target's records, its defaults if not declared).
pub fn declared(stack: &ir::Stack, name: &str) -> bool {
    let t = &stack.targets;
    match name {
        "native" => t.native.is_some(),
        "systemd" => t.systemd.is_some(),
        "compose" => t.compose.is_some(),
        "kubernetes" => t.kubernetes.is_some(),
        "helm" => t.helm.is_some(),
        _ => true,
    }
}

pub use crate::outdir::Output;

/// Source values that no emitter could write so that its reader sees exactly them
/// ([`crate::encode`]); `gstackc build` reports them and writes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderError {
    /// Sorted, without repeats (the same value refused by several targets appears once).
    pub refusals: Vec<Refusal>,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.refusals.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RenderError {}

/// Every file of every requested target (`only`: one target name, or all declared), or every
/// source value that could not be encoded for its reader.
///
/// This is the one pass from the IR to service records: for each target, its context
/// ([`Ctx`]: hosts, paths, listen address) is built and every backend runs once
/// ([`backends::services`]); the target renders from those records alone.
pub fn render(stack: &ir::Stack, only: Option<&str>) -> Result<Vec<Output>, RenderError> {
    let mut out = vec![];
    let refused = std::cell::RefCell::new(Vec::<Refusal>::new());
    let want = |t: &str| only.map_or(true, |o| o == t);
    let records = |ctx: Ctx| {
        let services = backends::services(stack, &ctx);
        refused.borrow_mut().extend(services.iter().flat_map(|s| s.refusals.iter().cloned()));
        services
    };
    if want("native") {
        if let Some(n) = &stack.targets.native {
            out.extend(native::render(stack, n, &records(native::ctx(stack, n))));
        }
    }
    if want("systemd") {
        if let Some(t) = &stack.targets.systemd {
            match systemd::render(stack, t, &records(systemd::ctx(stack))) {
                Ok(o) => out.extend(o),
                Err(r) => refused.borrow_mut().extend(r),
            }
        }
    }
    if want("compose") {
        if let Some(c) = &stack.targets.compose {
            out.extend(compose::render(stack, c, &records(compose::ctx(stack, c))));
        }
    }
    let (k8s, helm) = (want("kubernetes") && stack.targets.kubernetes.is_some(), want("helm") && stack.targets.helm.is_some());
    if k8s || helm {
        // the chart renders the kubernetes target's objects (its defaults if not declared)
        let k = stack.targets.kubernetes.clone().unwrap_or_else(ir::KubernetesTarget::default_for_helm);
        if k8s {
            out.extend(kubernetes::render(stack, &k, &records(kubernetes::ctx(stack, &k))));
        }
        if let (true, Some(h)) = (helm, &stack.targets.helm) {
            // every address in the configs names the release's namespace (a token the
            // templates replace)
            out.extend(helm::render(stack, h, &k, &records(kubernetes::ctx_in(stack, &k, helm::NAMESPACE_TOKEN))));
        }
    }
    if want("nix") {
        // the flake's `config`: the service records of the native target (its defaults if not declared)
        let n = stack.targets.native.clone().unwrap_or_else(|| ir::NativeTarget::default_for(&stack.name));
        out.extend(nix::render(stack, &records(native::ctx(stack, &n))));
    }
    let mut refusals = refused.into_inner();
    if refusals.is_empty() {
        return Ok(out);
    }
    refusals.sort();
    refusals.dedup();
    Err(RenderError { refusals })
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
