//! `gstackc`: check, build and format gstack stacks.

/// mimalloc instead of the system allocator: the compiler allocates many small trees, and
/// a cold check of 1,000 dashboards takes about a third less time with it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
use gstack::db::{Database, SourceFile};
use gstack::diag::{self, Diagnostic};
use gstack::sema::check::check_stack;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "gstackc", version, about = "Compile a .gstack description of a Grafana observability stack into the files its programs read.")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum MessageFormat {
    /// Source snippets for people.
    Human,
    /// One JSON array of diagnostics on stdout, for tools.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum Emit {
    /// Write every output: `ir.json` and each target's files.
    All,
    /// Print the typed stack IR as JSON on stdout.
    Ir,
}

#[derive(Subcommand)]
enum Cmd {
    /// Parse, evaluate and type-check FILE and everything it imports; report every problem.
    /// Exit status: 0 when there are no errors, 1 when there are.
    Check {
        file: PathBuf,
        /// A JSON overlay merged over the stack and type-checked like source, as for `build`.
        #[arg(long)]
        overrides: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Check FILE, then write the generated files into the output directory.
    /// Nothing is written when there are errors.
    Build {
        file: PathBuf,
        /// Output directory.
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// `ir` prints the typed IR as JSON on stdout instead of writing files.
        #[arg(long, value_enum, default_value = "all")]
        emit: Emit,
        /// A JSON overlay merged over the stack and type-checked like source
        /// (`{"stack": {"prometheus": {"port": 9091}}, "targets": {"native": {"bin": {…}}}}`).
        #[arg(long)]
        overrides: Option<PathBuf>,
        /// Write one target only; default every target the stack declares.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(gstack::targets::TARGET_NAMES))]
        target: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        message_format: MessageFormat,
    },
    /// Format .gstack files in place (idempotent; comments are kept).
    /// With --check, write nothing and exit 1 if any file would change.
    Fmt {
        files: Vec<PathBuf>,
        #[arg(long)]
        check: bool,
    },
    /// Explain a diagnostic code (`gstackc explain E0201`): what it means and an input that
    /// produces it. Exit status 2 for a code that does not exist.
    Explain {
        /// The code, `E0xxx` or `W0xxx` (any case).
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title instead.
        #[arg(long, conflicts_with = "code")]
        list: bool,
    },
    /// Run the language server on stdin/stdout, for editors (docs/editors.md): the `gstack-lsp`
    /// binary next to gstackc, else the one on PATH.
    Lsp {
        /// Passed on to gstack-lsp (`--stdio`, which editors add, is accepted).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// The `--overrides` overlay registered in `db`, ready to merge (`None` without one); `Err` is
/// the exit code after reporting an unreadable or invalid overlay file.
fn load_overlay(db: &mut Database, overrides: Option<&Path>, message_format: MessageFormat) -> Result<Option<gstack::sema::overrides::Overlay>, ExitCode> {
    let Some(path) = overrides else { return Ok(None) };
    let text = match gstack::db::read_source(path) {
        Ok(t) => t,
        Err(e) => return Err(report(db, &[Diagnostic::global(e.code(), format!("cannot read {}: {e}", path.display()))], message_format)),
    };
    match gstack::sema::overrides::normalise(path, &text) {
        Err(d) => {
            db.set_file(path, text);
            Err(report(db, &[d], message_format))
        }
        Ok(norm) => {
            let f = db.set_file(path, norm.clone());
            Ok(Some(gstack::sema::overrides::overlay(f, path, &norm)))
        }
    }
}

/// The stack checked: memoised without an overlay, afresh with one.
fn check_overlaid<'a>(db: &'a Database, root: SourceFile, overlay: Option<&gstack::sema::overrides::Overlay>) -> std::borrow::Cow<'a, gstack::sema::check::Checked> {
    match overlay {
        None => std::borrow::Cow::Borrowed(&**check_stack(db, root)),
        Some(ov) => std::borrow::Cow::Owned(gstack::sema::check::check_with(db, root, Some(ov))),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Check { file, overrides, message_format } => {
            let (mut db, root) = match load(&file) {
                Ok(x) => x,
                Err(d) => return report(&Database::default(), &[d], message_format),
            };
            gstack::sema::check::warm(&db, root, gstack::sema::check::cores());
            let overlay = match load_overlay(&mut db, overrides.as_deref(), message_format) {
                Ok(o) => o,
                Err(code) => return code,
            };
            let checked = check_overlaid(&db, root, overlay.as_ref());
            let mut diags = checked.diagnostics.clone();
            // a value no generated file can carry exactly is found by rendering (in memory):
            // `check` refuses what `build` would
            if let Some(stack) = checked.stack.as_ref().filter(|_| !checked.has_errors()) {
                if let Err(e) = gstack::targets::render(stack, None) {
                    diags.extend(refusal_diagnostics(&checked.origins, &e.refusals));
                }
            }
            let code = report(&db, &diags, message_format);
            // the process ends here: freeing every memoised tree one by one would only add time
            std::mem::forget(db);
            code
        }
        Cmd::Build { file, out, emit, target, overrides, message_format } => {
            let (mut db, root) = match load(&file) {
                Ok(x) => x,
                Err(d) => return report(&Database::default(), &[d], message_format),
            };
            gstack::sema::check::warm(&db, root, gstack::sema::check::cores());
            let overlay = match load_overlay(&mut db, overrides.as_deref(), message_format) {
                Ok(o) => o,
                Err(code) => return code,
            };
            let checked = check_overlaid(&db, root, overlay.as_ref());
            let checked: &gstack::sema::check::Checked = &checked;
            let Some(stack) = checked.stack.as_ref().filter(|_| !checked.has_errors()) else {
                let code = report(&db, &checked.diagnostics, message_format);
                return if checked.has_errors() { code } else { ExitCode::from(1) };
            };
            // `--target T` of a stack without `target T { … }` would write ir.json alone
            if let Some(t) = target.as_deref().filter(|t| !gstack::targets::declared(stack, t)) {
                let msg = format!("the stack declares no `target {t}`, so `--target {t}` has nothing to write");
                let d = match &checked.origins.stack {
                    Some(at) => Diagnostic::error("E0202", &at.file, at.span, msg),
                    None => Diagnostic::global("E0202", msg),
                }
                .with_hint(format!("add `target {t} {{}}` to the stack's file (docs/reference.md lists its fields), or give its fields through --overrides: {{\"targets\": {{\"{t}\": {{}}}}}}"));
                let mut all = checked.diagnostics.clone();
                all.push(d);
                return report(&db, &all, message_format);
            }
            let ir = || serde_json::to_string_pretty(stack).expect("IR serialises");
            if emit == Emit::Ir {
                let code = report(&db, &checked.diagnostics, message_format);
                println!("{}", ir());
                std::mem::forget(db);
                return code;
            }
            // the IR's JSON (megabytes for a big stack) is written while the targets render
            let (ir, rendered) = rayon::join(ir, || gstack::targets::render(stack, target.as_deref()));
            let rendered = match rendered {
                Ok(r) => r,
                Err(e) => {
                    // a value no generated file can carry exactly: refuse, write nothing
                    let mut diags = checked.diagnostics.clone();
                    diags.extend(refusal_diagnostics(&checked.origins, &e.refusals));
                    report(&db, &diags, message_format);
                    eprintln!("{} value{} cannot be written; nothing was written to {}", e.refusals.len(), if e.refusals.len() == 1 { "" } else { "s" }, out.display());
                    return ExitCode::from(1);
                }
            };
            let mut outputs = vec![gstack::targets::Output::file("ir.json", format!("{ir}\n"))];
            outputs.extend(rendered);
            // fields an existing install cannot change: the new workloads against the previous
            // build's in `out` (warnings; the files are right for a fresh install and are written)
            let apply = format!("kubectl apply --server-side -k {}", gstack::encode::shell::quote(&out.join("kubernetes").display().to_string()));
            let mut diags = checked.diagnostics.clone();
            diags.extend(gstack::upgrade::check(&out, &outputs, &apply, &|c| locate(&checked.origins, c)));
            let code = report(&db, &diags, message_format);
            if let Err(e) = gstack::targets::write(&out, &outputs) {
                eprintln!("error: cannot write to {}: {e}", out.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {} files to {}", outputs.len(), out.display());
            // the process ends here: freeing every file and memo one by one would only add time
            std::mem::forget(outputs);
            std::mem::forget(db);
            code
        }
        Cmd::Fmt { files, check } => {
            let mut changed = false;
            let mut failed = false;
            for f in files {
                let src = match gstack::db::read_source(&f) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("error: cannot read {}: {e}", f.display());
                        failed = true;
                        continue;
                    }
                };
                match gstack::syntax::fmt::format(&src) {
                    Ok(out) => {
                        if out != src {
                            changed = true;
                            if check {
                                println!("would reformat {}", f.display());
                            } else if let Err(e) = std::fs::write(&f, out) {
                                eprintln!("error: cannot write {}: {e}", f.display());
                                failed = true;
                            }
                        }
                    }
                    Err(e) => {
                        eprintln!("error: {} has syntax errors ({e:?}); run `gstackc check` first", f.display());
                        failed = true;
                    }
                }
            }
            if failed || (check && changed) {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Cmd::Explain { code, list } => explain(code.as_deref(), list),
        Cmd::Lsp { args } => lsp(&args),
    }
}

/// `gstackc explain`: one code's row of the table, or (`--list`) every code and its title.
fn explain(code: Option<&str>, list: bool) -> ExitCode {
    use gstack::diag::codes;
    if list {
        for c in codes::CODES.iter() {
            println!("{}  {}", c.code, c.title);
        }
        return ExitCode::SUCCESS;
    }
    let code = code.unwrap_or_default().trim();
    if let Some(info) = codes::lookup(&code.to_uppercase()) {
        print!("{}", info.explain());
        return ExitCode::SUCCESS;
    }
    eprintln!("error: there is no diagnostic code `{code}`");
    let near = codes::nearby(code);
    if !near.is_empty() {
        eprintln!("  help: did you mean {}?", near.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "));
    }
    eprintln!("  help: `gstackc explain --list` lists every code");
    ExitCode::from(2)
}

/// `gstackc lsp`: run `gstack-lsp`, a separate crate (it depends on this one, so this binary
/// cannot contain it).
fn lsp(args: &[String]) -> ExitCode {
    let name = format!("gstack-lsp{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe().ok().and_then(|e| e.parent().map(|d| d.join(&name))).filter(|p| p.is_file());
    let program = beside.unwrap_or_else(|| PathBuf::from(&name));
    let mut cmd = std::process::Command::new(&program);
    cmd.args(args);
    let fail = |e: std::io::Error| {
        eprintln!("error: cannot run the language server `{}` (looked next to gstackc, then on PATH): {e}", program.display());
        eprintln!("  help: build it with `cargo build -p gstack-lsp` or install it with `cargo install --path lsp`");
        ExitCode::from(2)
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        fail(cmd.exec())
    }
    #[cfg(not(unix))]
    match cmd.status() {
        Ok(s) => ExitCode::from(s.code().unwrap_or(1) as u8),
        Err(e) => fail(e),
    }
}

/// Where to point a W0604 warning: the source field behind the change when it was written
/// (a claim's size, the storage class, the stack's name for a selector), else the component's
/// block, else the kubernetes target.
fn locate(o: &gstack::sema::check::Origins, c: &gstack::upgrade::Change) -> Option<diag::Location> {
    use gstack::upgrade::Cause;
    let field = match &c.cause {
        Cause::Storage { .. } => o.storage.get(&c.component),
        Cause::StorageClass { .. } => o.storage_class.as_ref(),
        Cause::Selector => o.stack.as_ref(),
        Cause::Other => None,
    };
    field.or_else(|| o.components.get(&c.component)).or(o.kubernetes.as_ref()).cloned()
}

/// E0212 for each value a generated file refuses ([`gstack::encode::Refusal`]), at the field
/// the source wrote it in ([`gstack::sema::check::Origins::locate`]).
fn refusal_diagnostics(o: &gstack::sema::check::Origins, refusals: &[gstack::encode::Refusal]) -> Vec<Diagnostic> {
    refusals
        .iter()
        .map(|r| {
            let d = match o.locate(&r.field) {
                Some(at) => Diagnostic::error("E0212", &at.file, at.span, r.to_string()),
                None => Diagnostic::global("E0212", r.to_string()),
            };
            d.with_hint(format!(
                "write `{}` without what {} cannot hold (a credential goes by reference: `secret.env(\"…\")`); gstackc refuses it rather than write a file whose structure or meaning it changes",
                r.field, r.file
            ))
        })
        .collect()
}

fn load(file: &Path) -> Result<(Database, SourceFile), Diagnostic> {
    let text = gstack::db::read_source(file).map_err(|e| Diagnostic::global(e.code(), format!("cannot read {}: {e}", file.display())))?;
    let mut db = Database::default();
    let root = db.set_file(file, text);
    Ok((db, root))
}

fn report(db: &Database, diags: &[Diagnostic], fmt: MessageFormat) -> ExitCode {
    let source = |p: &Path| db.source_text(p);
    match fmt {
        MessageFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&diag::to_json(diags, &source)).expect("json"));
        }
        MessageFormat::Human => {
            if !diags.is_empty() {
                eprint!("{}", diag::render(diags, &source, std::io::stderr().is_terminal()));
                let errors = diags.iter().filter(|d| d.is_error()).count();
                let warnings = diags.len() - errors;
                eprintln!("{errors} error{}, {warnings} warning{}", if errors == 1 { "" } else { "s" }, if warnings == 1 { "" } else { "s" });
            }
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
