{
  description = "A Grafana observability stack described in gstack";

  inputs = {
    # The gstack flake: replace OWNER with the place you get gstack from
    # (or use e.g. "path:/src/gstack" for a local checkout).
    gstack.url = "github:OWNER/gstack";
    nixpkgs.follows = "gstack/nixpkgs";
  };

  outputs =
    { gstack, nixpkgs, ... }:
    let
      forAllSystems = nixpkgs.lib.genAttrs gstack.lib.systems;
      stack =
        system:
        gstack.lib.mkStack {
          src = ./stack.gstack;
          pkgs = nixpkgs.legacyPackages.${system};
          # Nix values handed to `gstackc build --overrides` as JSON, type-checked like source
          # (a mistake is gstackc's diagnostic, pointing at the attribute): component settings,
          # and dashboards, datasources, alerts and log_alerts by name (docs/nix.md)
          overrides = {
            prometheus.retention = "30d";
            dashboards.hosts = {
              title = "Hosts";
              variables.instance.query = [
                "prometheus"
                "label_values(node_uname_info, instance)"
              ];
              panels = [
                {
                  type = "timeseries";
                  title = "CPU busy";
                  query.promql = ''1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle", instance=~"$instance"}[$__rate_interval]))'';
                  unit = "percentunit";
                  thresholds = [
                    {
                      value = 0.9;
                      color = "red";
                    }
                  ];
                }
              ];
            };
            datasources.inventory = {
              type = "postgres";
              url = "db.internal:5432";
              database = "inventory";
              user = "grafana_ro";
              password.file = "/run/secrets/inventory";
            };
          };
          # After `gstackc build stack.gstack -o out --target nix && cp out/nix/stack.nix .`:
          # stackNix = ./stack.nix;   # gives `config` and a freshness check
        };
    in
    {
      packages = forAllSystems (system: (stack system).packages);
      apps = forAllSystems (system: (stack system).apps);
      devShells = forAllSystems (system: {
        default = (stack system).devShell;
      });
      checks = forAllSystems (system: (stack system).checks);

      # On NixOS: import this module and set `services.gstack.mystack.enable = true;`
      # (docs/nix.md in the gstack repository, nixosModules.default)
      nixosModules.default = {
        imports = [ gstack.nixosModules.default ];
        services.gstack.mystack.source = ./stack.gstack;
      };
    };
}
