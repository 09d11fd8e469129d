# One component's OCI image with dockerTools.streamLayeredImage (arguments as documented in
# nixpkgs doc/build-helpers/images/dockertools.section.md, implemented in
# pkgs/build-support/docker/default.nix): no shell, no package manager, the program's closure,
# /bin/<program>, /etc/passwd + /etc/group from fakeNss (pkgs/by-name/fa/fakeNss/package.nix) with the
# component's user, CA certificates and tzdata only where components.nix asks for them.
{
  lib,
  runCommand,
  dockerTools,
  fakeNss,
  tzdata,
  component,
  spec,
  package,
  imageName,
}:
let
  uid = toString spec.uid;
  gid = toString spec.gid;
  # fakeNss already has root (0) and nobody (65534)
  nss = fakeNss.override {
    extraPasswdLines = lib.optional (
      spec.uid != 0 && spec.uid != 65534
    ) "${spec.userName}:x:${uid}:${gid}:${spec.userName}:/var/empty:/sbin/nologin";
    extraGroupLines = lib.optional (spec.gid != 0 && spec.gid != 65534) "${spec.userName}:x:${gid}:";
  };

  # Defaults for running the image by hand; the compose and Kubernetes targets pass their own
  # arguments (the entrypoint stays the program).
  defaultArgs = {
    grafana = [
      "server"
      "--homepath=/usr/share/grafana"
    ];
    prometheus = [
      "--config.file=/etc/prometheus/prometheus.yml"
      "--storage.tsdb.path=/prometheus"
    ];
    loki = [ "-config.file=/etc/loki/config.yaml" ];
    tempo = [ "-config.file=/etc/tempo/tempo.yaml" ];
    alertmanager = [
      "--config.file=/etc/alertmanager/alertmanager.yml"
      "--storage.path=/alertmanager"
    ];
    node_exporter = [ ];
  };

  # gstackc's compose and Kubernetes targets name the image gstack/<component>:<major.minor>
  # of the stack's version for the component; the package's major.minor is that version when
  # the stack and nixpkgs agree (checks.<system>.component-versions says when they do not).
  tag = lib.versions.majorMinor package.version;

  env = [
    "PATH=/bin"
  ]
  ++ lib.optional spec.tzdata "ZONEINFO=${tzdata}/share/zoneinfo"
  ++ lib.optionals (component == "grafana") [
    "GF_PATHS_DATA=/var/lib/grafana"
    "GF_PATHS_PLUGINS=/var/lib/grafana/plugins"
  ];
  # `docker load < result` (or `podman load`): the stream written once, gzipped (docker load
  # reads gzip); `nix build .#<component>-image.archive`
  archive = runCommand "${baseNameOf imageName}-${tag}.tar.gz" { } ''
    ${stream} | gzip -1n > "$out"
  '';

  # `nix build .#<component>-image` gives a script that writes the image to stdout:
  # `$(nix build --print-out-paths .#grafana-image) | docker load`
  stream = dockerTools.streamLayeredImage {
    name = imageName;
    inherit tag;

    contents = [ nss ] ++ lib.optional spec.cacert dockerTools.caCertificates;

    # Reproducible: fixed creation and modification times (these are also the defaults).
    created = "1970-01-01T00:00:01Z";
    mtime = "1970-01-01T00:00:01Z";

    # Runs in the root of the last layer, under fakeroot, so ownership sticks.
    # The program is also /bin/<program>: the compose and Kubernetes targets run it by name.
    # streamLayeredImage evals these in `bash -c` after `source $stdenv/setup`, which restores
    # the caller's options: without errexit a failed command would leave a broken layer.
    fakeRootCommands = ''
      set -e
      mkdir -p ./tmp ./bin
      chmod 1777 ./tmp
      ln -s ${lib.getExe' package spec.program} ./bin/${spec.program}
    ''
    + lib.optionalString (spec.dataDir != null) ''
      mkdir -p .${spec.dataDir}
      chown ${uid}:${gid} .${spec.dataDir}
    ''
    + lib.optionalString (component == "grafana") ''
      mkdir -p ./usr/share
      ln -s ${package}/share/grafana ./usr/share/grafana
    '';

    config = {
      User = "${uid}:${gid}";
      Entrypoint = [ (lib.getExe' package spec.program) ];
      Cmd = defaultArgs.${component};
      Env = env;
      WorkingDir = if spec.dataDir != null then spec.dataDir else "/";
      ExposedPorts = lib.listToAttrs (map (p: lib.nameValuePair "${toString p}/tcp" { }) spec.ports);
      Volumes = lib.optionalAttrs (spec.dataDir != null) { ${spec.dataDir} = { }; };
      Labels = {
        "org.opencontainers.image.title" = "gstack ${component}";
        "org.opencontainers.image.version" = package.version;
      };
    };

    passthru = {
      inherit component archive;
      imageRef = "${imageName}:${tag}";
    };
  };
in
stream
