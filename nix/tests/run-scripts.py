#!/usr/bin/env python3
"""Execute the shell text of every stand-in derivation with a real bash on stand-in trees.

    run-scripts.py SCRIPTS_JSON WORKDIR

SCRIPTS_JSON is what `nix/tests/eval.nix --argstr want scripts` evaluates to:
`{ derivations = { label = outPath; }; apps = { name = program; }; }`. Each outPath is a
description file that nix/tests/stub-pkgs.nix wrote into the store (`{"__gstackStub": 1, kind,
...}`). A derivation is realised under WORKDIR/store/<hash>-<name> after everything its text
or attributes name under /nix/store is realised, each store path replaced by its stand-in:

  runCommand   its script run as stdenv runs a buildCommand (pkgs/stdenv/generic/setup.sh):
               `bash -e`, then `set -eu -o pipefail`, `shopt -s inherit_errexit nullglob`,
               nounset restored off; the derivation's attributes as environment variables
               (passAsFile ones as <name>Path files); PATH = the bin/ of nativeBuildInputs and
               buildInputs, then the stdenv basics (coreutils findutils diffutils gnused gnugrep
               gawk gnutar gzip bzip2 xz bash patch, this machine's); cwd a fresh build dir,
               HOME=/homeless-shelter. It passes when it exits 0 and $out exists. Then the store
               paths in its text output files are rewritten to their stand-ins (as the programs
               they name exist at run time).
  program      bin/<each program>: gstackc is $GSTACKC, bash, jq, coreutils and shellcheck are
               this machine's (shellcheck only when installed); every other is a stub that logs
               its argv to WORKDIR/log/<program> and exits 0.
  image        the stream script: prints a docker-archive tar (manifest.json, the config, one
               layer) whose layer is the customisation layer as streamLayeredImage builds it:
               a symlink tree of `contents`, `extraCommands` from its root with errexit, then
               `fakeRootCommands` as `fakeroot bash -c 'source $stdenv/setup; cd old_out; eval'`
               runs them (setup restores the caller's options: no errexit there).
  fakeNss, tree, mkShell: the files they hold; mkShell realises its packages.

Then every app's program is run with a host PATH holding the basics and a logging `docker`,
and the commands it ran are compared with what the app should run.
Prints `ok: …`, `FAIL: …` (with indented details) and `skipped: …` lines.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

STORE_RE = re.compile(r"/nix/store/[a-z0-9]{32}-[A-Za-z0-9+._?=-]+")

COREUTILS = (
    "basename cat chgrp chmod chown comm cp csplit cut date dd df dirname du echo env expand "
    "expr false fmt fold head id install join link ln logname ls md5sum mkdir mkfifo mknod "
    "mktemp mv nice nl nohup nproc od paste pathchk printenv printf pwd readlink realpath rm "
    "rmdir seq sha1sum sha256sum sha512sum shuf sleep sort split stat stdbuf sum sync tac tail "
    "tee test timeout touch tr true truncate tsort tty uname unexpand uniq unlink wc whoami yes ["
).split()
# stdenv's initialPath besides coreutils (pkgs/stdenv/generic/common-path.nix)
BASICS = COREUTILS + (
    "find xargs diff cmp sed grep egrep fgrep awk gawk tar gzip gunzip zcat bzip2 xz patch bash sh make file"
).split()
# programs whose stand-in is this machine's own
REAL = {
    "bash": "bash",
    "jq": "jq",
    "shellcheck": "shellcheck",
    "nixfmt": "nixfmt",
    "deadnix": "deadnix",
    "nix-store": "nix-store",
    "nix-instantiate": "nix-instantiate",
}


# host paths a build script may not name: the Nix sandbox has the store, /bin/sh, /dev, /proc,
# /tmp (the build directory) and /etc's passwd, group and hosts, nothing else of the host
HOST_PATH_RE = re.compile(r"""(?:^|[\s"'=(:])(/(?:usr|bin|sbin|lib|lib64|opt|home|root|run|var|srv|mnt)/[^\s"';)]*)""", re.M)


def host_paths(script):
    return sorted({p for p in HOST_PATH_RE.findall(script) if p != "/bin/sh"})


class BuildError(Exception):
    pass


class Runner:
    def __init__(self, work, gstackc):
        self.work = work
        self.gstackc = gstackc
        self.store = os.path.join(work, "store")
        self.logs = os.path.join(work, "log")
        for d in (self.store, self.logs, os.path.join(work, "build")):
            os.makedirs(d, exist_ok=True)
        self.done = {}  # store path -> stand-in path
        self.kinds = {}  # store path -> what it stands for
        self.failed = {}  # store path -> BuildError
        self.basics = self.link_dir("basics", BASICS)

    def link_dir(self, name, programs):
        d = os.path.join(self.work, name, "bin")
        os.makedirs(d, exist_ok=True)
        for p in programs:
            real = shutil.which(p)
            if real and not os.path.lexists(os.path.join(d, p)):
                os.symlink(real, os.path.join(d, p))
        return d

    # --- realising ----------------------------------------------------------------------
    def describe(self, path):
        if not os.path.lexists(path):
            raise BuildError(f"{path} is neither a stand-in description nor in the store")
        if os.path.isfile(path):
            with open(path, "rb") as f:
                head = f.read(16)
            if head.startswith(b'{"__gstackStub"'):
                with open(path) as f:
                    return json.load(f)
        return None  # a real store path (a source): it stands for itself

    def realise(self, path, stack=()):
        if path in self.done:
            return self.done[path]
        if path in stack:
            raise BuildError(f"reference cycle through {path}")
        desc = self.describe(path)
        if desc is None:
            self.done[path] = path
            self.kinds[path] = "source in the store"
            return path
        if path in self.failed:
            raise BuildError(f"its input {os.path.basename(path)} failed (above)")
        standin = os.path.join(self.store, os.path.basename(path))
        kind = desc["kind"]
        try:
            getattr(self, "realise_" + kind)(path, desc, standin, stack + (path,))
        except BuildError as e:
            self.failed[path] = e
            if stack:
                raise BuildError(f"its input {os.path.basename(path)} failed:\n{e}") from None
            raise
        self.done[path] = standin
        return standin

    def subst_map(self, texts, stack, self_path=None):
        refs = set()
        for t in texts:
            refs.update(STORE_RE.findall(t))
        refs.discard(self_path)
        return {r: self.realise(r, stack) for r in sorted(refs)}

    @staticmethod
    def subst(text, mapping):
        for k in sorted(mapping, key=len, reverse=True):
            text = text.replace(k, mapping[k])
        return text

    def realise_program(self, path, desc, standin, stack):
        self.kinds[path] = f"program package {desc['name']} (bin/{', bin/'.join(desc['bins'])})"
        bindir = os.path.join(standin, "bin")
        os.makedirs(bindir)
        for b in desc["bins"]:
            target = os.path.join(bindir, b)
            if b == "gstackc":
                os.symlink(self.gstackc, target)
            elif desc["pname"] == "coreutils":
                pass
            elif b in REAL and shutil.which(REAL[b]):
                os.symlink(shutil.which(REAL[b]), target)
                self.kinds[path] += f" = this machine's {b}"
            else:
                self.write_stub(target, b)
                self.kinds[path] += f" = a logging stub" if len(desc["bins"]) == 1 else ""
        if desc["pname"] == "coreutils":
            for p in COREUTILS:
                if shutil.which(p):
                    os.symlink(shutil.which(p), os.path.join(bindir, p))
        if desc.get("preCheck"):
            # buildRustPackage's check phase: `runHook preCheck` with the check inputs on PATH
            mapping = self.subst_map(desc["checkInputs"] + [desc["preCheck"]], stack, path)
            dirs = [os.path.join(mapping[i], "bin") for i in desc["checkInputs"] if os.path.isdir(os.path.join(mapping[i], "bin"))]
            cwd = os.path.join(self.work, "build", os.path.basename(path))
            env = {"preCheck": self.subst(desc["preCheck"], mapping), "name": desc["name"]}
            rc, log = self.stdenv_run(desc["name"], "runHook preCheck\n", env, ["buildCommand"], dirs, cwd, standin)
            if rc != 0:
                raise BuildError(f"preCheck of {desc['name']} failed with exit code {rc}:\n{log.strip()}")

    def write_stub(self, target, name):
        log = os.path.join(self.logs, name)
        with open(target, "w") as f:
            f.write(
                f"""#!{shutil.which('bash')}
# stand-in for {name}: logs its argv, reads what it is piped, exits 0
{{ printf '%s' {shlex.quote(name)}; printf ' %q' "$@"; echo; }} >> {shlex.quote(log)}
if [ -p /dev/stdin ]; then cat > /dev/null; fi
case " $* " in *" --help "*|*" --version "*) echo "{name} (stand-in)";; esac
exit 0
"""
            )
        os.chmod(target, 0o755)

    def realise_tree(self, path, desc, standin, stack):
        self.kinds[path] = f"plain files ({', '.join(sorted(desc['files']))})"
        for rel, text in desc["files"].items():
            os.makedirs(os.path.dirname(os.path.join(standin, rel)), exist_ok=True)
            with open(os.path.join(standin, rel), "w") as f:
                f.write(text)

    def realise_fakeNss(self, path, desc, standin, stack):
        self.kinds[path] = "fakeNss (etc/passwd, etc/group)"
        os.makedirs(os.path.join(standin, "etc"))
        passwd = ["root:x:0:0:root user:/var/empty:/bin/sh", "nobody:x:65534:65534:nobody:/var/empty:/bin/sh"]
        group = ["root:x:0:", "nobody:x:65534:"]
        with open(os.path.join(standin, "etc/passwd"), "w") as f:
            f.write("\n".join(passwd + desc["extraPasswdLines"]) + "\n")
        with open(os.path.join(standin, "etc/group"), "w") as f:
            f.write("\n".join(group + desc["extraGroupLines"]) + "\n")

    def realise_mkShell(self, path, desc, standin, stack):
        self.kinds[path] = "mkShell"
        missing = [p for p in desc["packages"] + desc["inputsFrom"] if not os.path.exists(self.realise(p, stack))]
        if missing:
            raise BuildError(f"mkShell packages missing: {missing}")
        os.makedirs(standin)

    def stdenv_run(self, name, script, env, passasfile, path_dirs, cwd, out, options="set -o pipefail"):
        """Run a buildCommand as stdenv's genericBuild does; returns (rc, stderr)."""
        os.makedirs(cwd, exist_ok=True)
        tmp = os.path.join(cwd, "tmp")
        os.makedirs(tmp)
        e = {
            "out": out,
            "NIX_BUILD_TOP": cwd,
            "TMPDIR": tmp,
            "TMP": tmp,
            "TEMP": tmp,
            "TEMPDIR": tmp,
            "HOME": "/homeless-shelter",
            "NIX_STORE": "/nix/store",
            "NIX_BUILD_CORES": "1",
            "TERM": "xterm-256color",
            "outputs": "out",
            "system": "x86_64-linux",
            "TZ": "UTC",
            "SOURCE_DATE_EPOCH": "315532800",
        }
        env = dict(env, buildCommand=script)
        for k, v in env.items():
            if k in passasfile:
                p = os.path.join(cwd, f".attr-{k}")
                with open(p, "w") as f:
                    f.write(v)
                e[k + "Path"] = p
            else:
                e[k] = v
        e["PATH"] = ":".join(path_dirs + [self.basics])
        preamble = f"""{options}
shopt -s inherit_errexit nullglob
runHook() {{ local h=$1; shift; if declare -F "$h" >/dev/null; then "$h" "$@"; elif [ -n "${{!h:-}}" ]; then eval "${{!h}}"; fi; }}
export GZIP_NO_TIMESTAMPS=1
if [ -f "${{buildCommandPath:-}}" ]; then source "$buildCommandPath"; else eval "$buildCommand"; fi
"""
        p = subprocess.run(
            ["bash", "-e", "-c", preamble], env=e, cwd=cwd, capture_output=True, text=True, timeout=300,
            stdin=subprocess.DEVNULL,
        )
        return p.returncode, (p.stdout + p.stderr)

    def realise_runCommand(self, path, desc, standin, stack):
        env = desc["env"]
        self.kinds[path] = f"runCommand {desc['name']}"
        mapping = self.subst_map([desc["script"]] + list(env.values()), stack, path)
        mapping[path] = standin
        bad = host_paths(desc["script"])
        if bad:
            raise BuildError(f"the script of {desc['name']} names {', '.join(bad)}, which the Nix sandbox does not have")
        script = self.subst(desc["script"], mapping)
        env = {k: self.subst(v, mapping) for k, v in env.items()}
        dirs = []
        for var in ("nativeBuildInputs", "buildInputs", "propagatedNativeBuildInputs", "propagatedBuildInputs"):
            for dep in env.get(var, "").split():
                if not os.path.exists(dep):
                    raise BuildError(f"build input {dep} does not exist")
                if os.path.isdir(os.path.join(dep, "bin")):
                    dirs.append(os.path.join(dep, "bin"))
        cwd = os.path.join(self.work, "build", os.path.basename(path))
        rc, log = self.stdenv_run(desc["name"], script, env, desc["passAsFile"], dirs, cwd, standin)
        if rc != 0:
            raise BuildError(f"builder for {desc['name']} failed with exit code {rc}:\n{log.strip()}")
        if not os.path.lexists(standin):
            raise BuildError(f"builder for {desc['name']} failed to produce output path {standin}\n{log.strip()}")
        self.rewrite_output(standin, stack + (path,))

    def rewrite_output(self, out, stack):
        files = [out] if os.path.isfile(out) else [
            os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs
        ]
        for f in files:
            if os.path.islink(f) or not os.path.isfile(f):
                continue
            try:
                with open(f) as fh:
                    text = fh.read()
            except (UnicodeDecodeError, PermissionError):
                continue
            refs = set(STORE_RE.findall(text))
            if refs:
                mode = os.stat(f).st_mode
                new = self.subst(text, {r: self.realise(r, stack) for r in refs})
                with open(f, "w") as fh:
                    fh.write(new)
                os.chmod(f, mode)

    def realise_image(self, path, desc, standin, stack):
        ref = f"{desc['name']}:{desc['tag']}"
        self.kinds[path] = f"image stream {ref}"
        texts = [json.dumps(desc["config"]), desc["fakeRootCommands"], desc["extraCommands"]] + desc["contents"]
        mapping = self.subst_map(texts, stack, path)
        build = os.path.join(self.work, "build", os.path.basename(path))
        old_out = os.path.join(build, "old_out")
        os.makedirs(old_out)
        # symlinkJoin of the contents
        for c in desc["contents"]:
            src = mapping[c]
            for d, _, fs in os.walk(src):
                rel = os.path.relpath(d, src)
                os.makedirs(os.path.join(old_out, rel), exist_ok=True)
                for f in fs:
                    os.symlink(os.path.join(d, f), os.path.join(old_out, rel, f))
        layer = os.path.join(build, "layer.tar")
        script = (
            '(cd old_out; eval "$extraCommands")\n'
            "bash -c '\n"
            "  set -o pipefail; shopt -s inherit_errexit nullglob\n"
            '  cd old_out\n  eval "$fakeRootCommands"\n'
            '  tar --sort name --numeric-owner --mtime "@$SOURCE_DATE_EPOCH" --hard-dereference -cf "$layer" .\n'
            "'\n"
        )
        env = {
            "extraCommands": self.subst(desc["extraCommands"], mapping),
            "fakeRootCommands": self.subst(desc["fakeRootCommands"], mapping),
            "layer": layer,
        }
        rc, log = self.stdenv_run(desc["name"], script, env, ["buildCommand"], [], build, standin)
        if rc != 0:
            raise BuildError(f"customisation layer of {ref} failed with exit code {rc}:\n{log.strip()}")
        if log.strip():
            # fakeRootCommands run without errexit: a failed command only prints
            raise BuildError(f"customisation layer of {ref}: its commands printed errors:\n{log.strip()}")
        for prog in desc["config"].get("Entrypoint", [])[:1]:
            link = os.path.join(old_out, "bin", os.path.basename(prog))
            if not os.path.islink(link):
                raise BuildError(f"{ref}: no /bin/{os.path.basename(prog)} in the customisation layer")
        arch = os.path.join(build, "archive")
        os.makedirs(arch)
        shutil.copy(layer, os.path.join(arch, "layer.tar"))
        with open(os.path.join(arch, "config.json"), "w") as f:
            json.dump({"architecture": "amd64", "os": "linux", "config": json.loads(self.subst(json.dumps(desc["config"]), mapping))}, f)
        with open(os.path.join(arch, "manifest.json"), "w") as f:
            json.dump([{"Config": "config.json", "RepoTags": [ref], "Layers": ["layer.tar"]}], f)
        with open(standin, "w") as f:
            f.write(f"#!{shutil.which('bash')}\n# stand-in stream of {ref}\nexec tar -C {shlex.quote(arch)} -cf - manifest.json config.json layer.tar\n")
        os.chmod(standin, 0o755)

    def clear_logs(self):
        for f in os.listdir(self.logs):
            os.remove(os.path.join(self.logs, f))

    def read_log(self, name):
        p = os.path.join(self.logs, name)
        return open(p).read().splitlines() if os.path.exists(p) else []


def main():
    spec = json.load(open(sys.argv[1]))
    work = sys.argv[2]
    gstackc = os.environ["GSTACKC"]
    only = os.environ.get("GSTACK_SCRIPTS_ONLY")
    r = Runner(work, gstackc)

    roots = {}
    for label, path in sorted(spec.get("derivations", {}).items()):
        if only and only not in label:
            continue
        roots.setdefault(path, []).append(label)
    programs = []
    for path, labels in roots.items():
        desc = r.describe(path)
        name = " = ".join(labels)
        kind = desc["kind"] if desc else "source"
        if kind in ("program", "tree", "fakeNss", "source") and not (desc or {}).get("preCheck"):
            try:
                r.realise(path)
                programs.append(os.path.basename(path))
            except BuildError as e:
                print(f"FAIL: {name}: stand-in\n" + indent(str(e)))
            continue
        if kind == "vmTest":
            print(f"skipped: {name}: a NixOS VM test (it needs nixpkgs' pkgs and KVM: the networked CI runs it)")
            continue
        what = {
            "runCommand": "its script runs",
            "image": "its customisation layer runs and streams",
            "mkShell": "its packages exist",
            "program": "its preCheck runs (cargo's check phase itself needs the real build)",
        }[kind]
        try:
            r.realise(path)
            refs = sorted(set(STORE_RE.findall(open(path).read())) - {path})
            inputs = "; ".join(sorted({r.kinds.get(x, "?") for x in refs}))
            if kind == "mkShell":
                inputs = f"{len(refs)} packages"
            skip_reason = stubbed_check(r, path)
            if skip_reason:
                print(f"skipped: {name}: {skip_reason}")
            else:
                extra = expect_output(r, labels, r.done[path])
                if extra:
                    print(f"FAIL: {name}: {what}, but:\n" + indent(extra))
                else:
                    print(f"ok: {name}: {what} (stand-in inputs: {inputs or 'none'})")
        except (BuildError, OSError, subprocess.SubprocessError) as e:
            print(f"FAIL: {name}: {what}\n" + indent(str(e)))
    if programs:
        print(f"ok: stand-ins for {len(programs)} program/file packages (logging stubs, or this machine's bash, jq, coreutils, shellcheck and $GSTACKC)")

    for app, program in sorted(spec.get("apps", {}).items()):
        try:
            run_app(r, app, program)
        except (OSError, subprocess.SubprocessError, BuildError) as e:
            print(f"FAIL: apps.{app}: {e!r}")


def indent(s, n=40):
    lines = s.splitlines()
    if len(lines) > n:
        lines = lines[: n // 2] + ["…"] + lines[-n // 2 :]
    return "\n".join("    " + l for l in lines)


def stubbed_check(r, path):
    """The shellcheck test with a stub for shellcheck would test nothing: it is skipped."""
    desc = r.describe(path)
    text = desc.get("script", "") + " ".join(desc.get("env", {}).values())
    for ref in STORE_RE.findall(text):
        d = r.describe(ref)
        if d and d["kind"] == "program" and "shellcheck" in d["bins"] and not shutil.which("shellcheck"):
            return "shellcheck is not installed (apt-get install shellcheck): the app's passthru.tests.shellcheck was not run"
    return None


def expect_output(r, labels, out):
    """What particular outputs must hold, beyond existing."""
    for label in labels:
        if label.startswith("nixosModules"):
            units = os.path.join(out, "lib/systemd/system")
            if not os.path.isdir(units) or not [f for f in os.listdir(units) if f.endswith(".service")]:
                return f"no lib/systemd/system/*.service in {out}"
        if label.endswith(".tar.gz") or label in ("packages.grafana-stack-docker-compose-file", "packages.grafana-stack-kubernetes-manifests"):
            p = subprocess.run(["tar", "-tzf", out], capture_output=True, text=True)
            if p.returncode != 0 or not p.stdout.strip():
                return f"{out} is not a .tar.gz with files: {p.stderr}"
    return None


def run_app(r, app, program):
    drv = program.split("/bin/")[0]
    name = f"apps.{app}"
    try:
        standin = r.realise(drv)
    except BuildError as e:
        print(f"FAIL: {name}: its writeShellApplication builds\n" + indent(str(e)))
        return
    exe = r.subst(program, {drv: standin})
    home = os.path.join(r.work, "home", app)
    os.makedirs(home, exist_ok=True)
    hostbin = os.path.join(r.work, "hostbin", "bin")
    if not os.path.isdir(hostbin):
        os.makedirs(hostbin)
        r.write_stub(os.path.join(hostbin, "docker"), "docker")
    env = {"PATH": f"{hostbin}:{r.basics}", "HOME": home, "TERM": "dumb", "USER": "gstack"}
    r.clear_logs()

    def run(cmd, extra_env=None):
        p = subprocess.run(cmd, env=dict(env, **(extra_env or {})), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr

    app_text = open(os.path.join(standin, "bin", app)).read()

    def tree(name):  # the stand-in of the gstackc build tree the app's text names
        m = re.search(re.escape(r.store) + r"/[a-z0-9]{32}-" + name + r"\b", app_text)
        if not m:
            raise BuildError(f"the app's text names no {name} tree")
        return m.group(0)

    if app == "grafana-stack-native-run":
        state = os.path.join(home, "state")
        rc, log = run([exe], {"XDG_STATE_HOME": state})
        native = tree("gstack-native")
        want = f"process-compose up -f {native}/native/process-compose.yaml --tui=false --no-server"
        got = r.read_log("process-compose")
        if rc != 0 and "port" in log and "in use" in log:
            print(f"skipped: {name}: a port of the stack is in use on this machine:\n" + indent(log.strip()))
        elif rc == 0 and got == [want] and os.path.isdir(os.path.join(state, "gstack", "shop")):
            print(f"ok: {name} runs native/run, which starts `{want.replace(native, '<gstack-native>')}` (data in $XDG_STATE_HOME/gstack/shop)")
        else:
            print(f"FAIL: {name}: expected exit 0 and `{want}`\n" + indent(f"exit {rc}; process-compose got: {got}\n{log.strip()}"))
    elif app == "grafana-stack-docker-compose":
        compose = tree("gstack-compose")
        want = f"docker-compose -f {compose}/compose/docker-compose.yaml up --pull never"
        images = len(set(re.findall(re.escape(r.store) + r"/[a-z0-9]{32}-stream-[A-Za-z0-9._-]+", app_text)))
        # without the secrets: check-secrets stops it before docker-compose
        rc, log = run([exe])
        loads = r.read_log("docker")
        if rc == 0 or r.read_log("docker-compose") or "secret" not in log or loads != ["docker image load"] * images:
            print(f"FAIL: {name} without its secrets: expected check-secrets to stop it\n" + indent(f"exit {rc}\n{log.strip()}"))
        else:
            print(f"ok: {name} without its secrets: {len(loads)} images loaded, then compose/check-secrets stops it (exit {rc}) before docker-compose")
        # with them: file secrets on a tmpfs over /run in a mount namespace of its own
        secrets = re.findall(r"^check_file (\S+) '[^']*' '[^']*' (\d+):(\d+)", open(f"{compose}/compose/check-secrets").read(), re.M)
        envs = re.findall(r"^check_env (\S+) ", open(f"{compose}/compose/check-secrets").read(), re.M)
        setup = f"{shutil.which('mount')} -t tmpfs gstack-test /run && " + " && ".join(
            f"mkdir -p {shlex.quote(os.path.dirname(p))} && echo s > {shlex.quote(p)} && chown {u}:{g} {shlex.quote(p)} && chmod 0400 {shlex.quote(p)}"
            for p, u, g in secrets
            if p.startswith("/run/")
        ) + ' && exec "$@"'
        if not shutil.which("unshare") or not shutil.which("mount") or any(not p.startswith("/run/") for p, _, _ in secrets):
            print(f"skipped: {name} with its secrets: needs unshare and secret files under /run")
            return
        r.clear_logs()
        rc, log = run([shutil.which("unshare"), "-m", shutil.which("bash"), "-c", setup, "-", exe], {v: "set" for v in envs})
        if "mount" in log and rc != 0 and not r.read_log("docker"):
            print(f"skipped: {name} with its secrets: no mount namespace here\n" + indent(log.strip()))
            return
        got_dc = r.read_log("docker-compose")
        loads = r.read_log("docker")
        if rc == 0 and got_dc == [want] and loads == ["docker image load"] * images:
            print(f"ok: {name} with its secrets: `docker image load` of each of the {images} images, check-secrets passes, then `{want.replace(compose, '<gstack-compose>')}`")
        else:
            print(f"FAIL: {name} with its secrets: expected {images} × `docker image load`, then `{want}`\n" + indent(f"exit {rc}; docker got: {loads}; docker-compose got: {got_dc}\n{log.strip()}"))
    elif app == "grafana-stack-k8s-apply":
        kube = tree("gstack-kubernetes")
        rc, log = run([exe, "--context=test"])
        got = r.read_log("kubectl")
        applies = [l for l in got if " apply --server-side" in l]
        ok = rc == 0 and len(applies) == 1 and f"-k {kube}/kubernetes" in applies[0] and all(l.startswith("kubectl --context=test ") for l in got)
        if ok:
            print(f"ok: {name} runs kubernetes/apply: {len(got)} kubectl calls, each with --context=test, one `{applies[0].replace(kube, '<gstack-kubernetes>')}`")
        else:
            print(f"FAIL: {name}: expected `kubectl --context=test apply --server-side … -k {kube}/kubernetes`\n" + indent(f"exit {rc}; kubectl got: {got}\n{log.strip()}"))
    else:
        print(f"FAIL: {name}: no expectation written for this app in nix/tests/run-scripts.py")


if __name__ == "__main__":
    main()
