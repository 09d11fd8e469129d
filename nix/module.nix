# nixosModules.default: run gstack stacks as systemd services on NixOS, one per attribute of
# `services.gstack`, named as in `stack <name> { … }`:
#
#   services.gstack.shop = {
#     enable = true;
#     source = ./shop.gstack;                      # its imports sit under `root` (its directory)
#     overrides.grafana.port = 3001;               # optional, type-checked by gstackc
#     secretsEnvFile = "/run/secrets/gstack-shop.env"; # the stack's secret.env(…) values
#   };
#
# gstackc's systemd target (built by lib.mkStack, with every program and both shells as store
# paths) writes one unit per program and `gstack-<name>.target`; NixOS installs them through
# `systemd.packages` and starts the target at boot. The config gstackc writes is
# /etc/gstack/<name> (`environment.etc`), which the units bind-mount read-only; each program's
# data is in /var/lib/gstack-<name>/<service> (`StateDirectory=`, created by systemd for the
# unit's dynamic user). Every program listens on 127.0.0.1 only (the systemd target's rule), so
# `openFirewall` cannot open anything: it is an assertion, not a silent no-op.
{ gstackLib }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib) mkOption types;
  enabled = lib.filterAttrs (_: s: s.enable) config.services.gstack;

  # the stack built with the module's settings: system units; the user's overrides otherwise win
  stackOf =
    cfg:
    gstackLib.mkStack {
      inherit pkgs;
      inherit (cfg) root;
      src = cfg.source;
      packages = cfg.packages // {
        gstackc = cfg.package;
      };
      overrides = lib.recursiveUpdate cfg.overrides { targets.systemd.user = false; };
    };

  # lib/systemd/system: the units and the target; etc/gstack/<name>: the config directory (one
  # entry per service gstackc wrote) and secrets.env, a link to `secretsEnvFile`
  unitPackage =
    name: cfg:
    let
      stack = stackOf cfg;
      units = stack.packages.grafana-stack-systemd-units;
    in
    pkgs.runCommand "gstack-${name}-systemd"
      {
        passthru = {
          inherit units;
          # what gstackc was given (the offline tests build with it)
          overrides = stack.overridesFor "systemd";
        };
      }
      ''
        mkdir -p "$out/lib/systemd/system" "$out/etc/gstack/${name}"
        # the units and the target only (the target also writes config/ and an install script)
        cp ${units}/systemd/*.service ${units}/systemd/*.target "$out/lib/systemd/system/"
        test -e "$out/lib/systemd/system/gstack-${name}.target" || {
          echo "gstack: no gstack-${name}.target; is services.gstack.${name} named as in \`stack ${name} { … }\`?" >&2
          exit 1
        }
        if [ -d ${units}/systemd/config ]; then
          for d in ${units}/systemd/config/*; do
            if [ -e "$d" ]; then ln -s "$d" "$out/etc/gstack/${name}/"; fi
          done
        fi
        ${lib.optionalString (cfg.secretsEnvFile != null) ''
          ln -s ${lib.escapeShellArg cfg.secretsEnvFile} "$out/etc/gstack/${name}/secrets.env"
        ''}
      '';

  stackOptions =
    { name, config, ... }:
    {
      options = {
        enable = lib.mkEnableOption "the gstack stack `${name}`";

        package = mkOption {
          type = types.package;
          default =
            (gstackLib.mkStack {
              inherit pkgs;
              src = config.source;
            }).scope.gstackc;
          defaultText = lib.literalMD "the gstack flake's `gstackc` (`lib.mkStack`'s scope)";
          description = "The gstackc that builds the stack's units and config.";
        };

        source = mkOption {
          type = types.path;
          example = lib.literalExpression "./shop.gstack";
          description = "The stack's .gstack file; its `stack` block must be named `${name}`.";
        };

        root = mkOption {
          type = types.path;
          default = dirOf config.source;
          defaultText = lib.literalExpression "dirOf source";
          description = "Directory holding `source` and every .gstack file it imports.";
        };

        overrides = mkOption {
          type = types.attrsOf types.anything;
          default = { };
          example = {
            grafana.port = 3001;
          };
          description = ''
            Values handed to `gstackc build --overrides` as JSON; gstackc type-checks them like
            source. `targets.systemd.user` and `targets.systemd.data_dir` are the module's.
          '';
        };

        packages = mkOption {
          type = types.attrsOf types.package;
          default = { };
          example = lib.literalExpression "{ grafana = pkgs.grafana; }";
          description = "Replacements for programs (grafana, prometheus, loki, tempo, alertmanager, node-exporter).";
        };

        secretsEnvFile = mkOption {
          type = types.nullOr (types.strMatching "/.*");
          default = null;
          example = "/run/secrets/gstack-shop.env";
          description = ''
            A file of `NAME=value` lines with the stack's `secret.env("NAME")` values, read by
            systemd when a unit starts (linked as /etc/gstack/<name>/secrets.env). Keep it out of
            the Nix store (e.g. sops-nix, agenix). The stack's `secret.file(…)` paths are read
            the same way (`LoadCredential=`), at the paths the stack names.
          '';
        };

        openFirewall = mkOption {
          type = types.bool;
          default = false;
          description = ''
            Must stay false: gstackc's systemd target makes every program listen on 127.0.0.1
            only, so there is no port to open. Reach Grafana through a reverse proxy on this
            machine (e.g. services.nginx, proxying to 127.0.0.1:<grafana port>) and open the
            proxy's port.
          '';
        };
      };
    };
in
{
  options.services.gstack = mkOption {
    type = types.attrsOf (types.submodule stackOptions);
    default = { };
    example = lib.literalExpression ''
      { shop = { enable = true; source = ./shop.gstack; }; }
    '';
    description = "gstack stacks run as systemd services; the attribute name is the stack's name.";
  };

  config = lib.mkIf (enabled != { }) {
    assertions = lib.concatLists (
      lib.mapAttrsToList (name: cfg: [
        {
          assertion = builtins.match "[A-Za-z0-9_-]+" name != null;
          message = "services.gstack.${name}: a stack name is letters, digits, `-` and `_`.";
        }
        {
          assertion = !cfg.openFirewall;
          message = ''
            services.gstack.${name}.openFirewall: every program of a gstack systemd stack listens on
            127.0.0.1 only, so no port would be reachable. Put a reverse proxy in front of Grafana
            (127.0.0.1:<grafana port>) and open the proxy's port instead.'';
        }
        {
          assertion = !(cfg.overrides ? targets.systemd.data_dir);
          message = ''
            services.gstack.${name}.overrides.targets.systemd.data_dir: the units run as a dynamic
            user, and nothing would create that directory for it; leave it unset (data is kept in
            /var/lib/gstack-${name}, StateDirectory=).'';
        }
        {
          assertion = !(cfg.overrides ? targets.systemd.user);
          message = "services.gstack.${name}.overrides.targets.systemd.user: the module installs system units.";
        }
        {
          assertion = cfg.secretsEnvFile == null || !lib.hasPrefix "${builtins.storeDir}/" cfg.secretsEnvFile;
          message = "services.gstack.${name}.secretsEnvFile: a file in the Nix store is readable by everyone.";
        }
      ]) enabled
    );

    systemd.packages = lib.mapAttrsToList unitPackage enabled;

    systemd.targets = lib.mapAttrs' (
      name: _: lib.nameValuePair "gstack-${name}" { wantedBy = [ "multi-user.target" ]; }
    ) enabled;

    environment.etc = lib.mapAttrs' (
      name: cfg:
      lib.nameValuePair "gstack/${name}" { source = "${unitPackage name cfg}/etc/gstack/${name}"; }
    ) enabled;
  };
}
