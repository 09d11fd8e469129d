# The programs, gstackc and the images, as one overridable package scope (lib.makeScope):
#   scope.overrideScope (final: prev: { grafana = myGrafana; })
# replaces Grafana in its image, the artifacts and the apps too.
# nixpkgs 25.11 attribute names, read in pkgs/by-name: grafana, prometheus (promtool in its
# `cli` output), grafana-loki (with logcli), tempo (with tempo-cli), prometheus-alertmanager
# (with amtool), prometheus-node-exporter, process-compose.
{
  lib,
  pkgs,
  gstackSrc,
  components,
  imageName,
}:
lib.makeScope pkgs.newScope (
  self:
  let
    image =
      component:
      let
        spec = components.${component};
      in
      import ./image.nix {
        inherit lib component spec;
        inherit (pkgs)
          runCommand
          dockerTools
          fakeNss
          tzdata
          ;
        package = self.${spec.package};
        imageName = imageName component;
      };
  in
  {
    gstackc = self.callPackage ./gstackc.nix { src = gstackSrc; };

    grafana = pkgs.grafana;
    prometheus = pkgs.prometheus;
    loki = pkgs.grafana-loki;
    tempo = pkgs.tempo;
    alertmanager = pkgs.prometheus-alertmanager;
    node-exporter = pkgs.prometheus-node-exporter;
    process-compose = pkgs.process-compose;

    grafana-image = image "grafana";
    prometheus-image = image "prometheus";
    loki-image = image "loki";
    tempo-image = image "tempo";
    alertmanager-image = image "alertmanager";
    node-exporter-image = image "node_exporter";
  }
)
