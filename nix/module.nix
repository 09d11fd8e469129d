# nixosModules.default: run a gstack stack as systemd services on NixOS.
#
#   services.gstack = {
#     enable = true;
#     name = "shop";                 # the name in `stack shop { … }`
#     src = ./shop.gstack;
#     overrides.grafana.port = 3001; # optional, type-checked by gstackc
#   };
#
# gstackc's systemd target writes the units (`<service>.service` and `gstack-<name>.target`)
# with the programs' store paths (the `bin` map Nix passes it); NixOS installs them through
# `systemd.packages` and starts the target at boot.
{ gstackLib }:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.gstack;

  stack = gstackLib.mkStack {
    inherit pkgs;
    inherit (cfg) src root packages;
    # system units (not user units), data under dataDir; the user's overrides win
    overrides = lib.recursiveUpdate {
      targets.systemd = {
        user = false;
        data_dir = cfg.dataDir;
      };
    } cfg.overrides;
  };
  units = stack.packages.grafana-stack-systemd-units;

  unitPackage = pkgs.runCommand "gstack-${cfg.name}-systemd-units" { } ''
    mkdir -p "$out/lib/systemd/system"
    # the units and the target only (the target also writes config/, the install script)
    cp ${units}/systemd/*.service ${units}/systemd/*.target "$out/lib/systemd/system/"
    test -e "$out/lib/systemd/system/gstack-${cfg.name}.target" || {
      echo "gstack: no gstack-${cfg.name}.target; is services.gstack.name the stack's name?" >&2
      exit 1
    }
  '';
in
{
  options.services.gstack = {
    enable = lib.mkEnableOption "a Grafana observability stack described in gstack";

    name = lib.mkOption {
      type = lib.types.strMatching "[A-Za-z0-9_-]+";
      example = "shop";
      description = "The stack's name, as in `stack <name> { … }`; it names `gstack-<name>.target`.";
    };

    src = lib.mkOption {
      type = lib.types.path;
      example = lib.literalExpression "./shop.gstack";
      description = "The stack's .gstack file.";
    };

    root = lib.mkOption {
      type = lib.types.path;
      default = dirOf cfg.src;
      defaultText = lib.literalExpression "dirOf config.services.gstack.src";
      description = "Directory holding `src` and every .gstack file it imports.";
    };

    overrides = lib.mkOption {
      type = lib.types.attrsOf lib.types.anything;
      default = { };
      example = {
        grafana.port = 3001;
      };
      description = "Values handed to `gstackc build --overrides` as JSON; gstackc type-checks them like source.";
    };

    dataDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/gstack/${cfg.name}";
      defaultText = lib.literalExpression ''"/var/lib/gstack/''${config.services.gstack.name}"'';
      description = "Where the programs keep their data.";
    };

    packages = lib.mkOption {
      type = lib.types.attrsOf lib.types.package;
      default = { };
      example = lib.literalExpression "{ grafana = pkgs.grafana; }";
      description = "Replacements for programs (grafana, prometheus, loki, tempo, alertmanager, node-exporter) or gstackc.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.packages = [ unitPackage ];
    systemd.targets."gstack-${cfg.name}".wantedBy = [ "multi-user.target" ];
  };
}
