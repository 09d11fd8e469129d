# The programs of a gstack stack, as plain data (needs nothing, not even `lib`).
# GENERATED from gstackc's facts table (compiler/src/programs.rs) by the test
# `nix_components_are_generated`; regenerate with GSTACK_UPDATE_DOCS=1 cargo test -p gstack --test docs.
#
# Keys are the component names gstackc uses (`node_exporter`, not `node-exporter`).
# - package:     the flake's package attribute (and image `gstack/<package>`)
# - nixpkgsAttr: where nixpkgs 25.11 keeps it (pkgs/by-name/…/package.nix, read for this)
# - program:     the executable in `bin/` (gstackc's `bin` map key is the component's program)
# - uid/gid:     the user the container images run as; the compose and Kubernetes targets
#                use the same numbers (gstackc's facts table: `User { uid, gid }`)
# - dataDir:     the writable directory the image creates, owned by uid:gid
# - ports:       the ports the image exposes, at their defaults
# - cacert/tzdata: whether the image carries CA certificates / the time zone database
#                (why each program needs them: the comments in programs.rs)
{
  node_exporter = {
    package = "node-exporter";
    nixpkgsAttr = "prometheus-node-exporter";
    program = "node_exporter";
    uid = 65534;
    gid = 65534;
    userName = "nobody";
    dataDir = null;
    ports = [ 9100 ];
    cacert = false;
    tzdata = false;
  };
  alertmanager = {
    package = "alertmanager";
    nixpkgsAttr = "prometheus-alertmanager";
    program = "alertmanager";
    uid = 65534;
    gid = 65534;
    userName = "nobody";
    dataDir = "/alertmanager";
    ports = [ 9093 ];
    cacert = true;
    tzdata = true;
  };
  prometheus = {
    package = "prometheus";
    nixpkgsAttr = "prometheus";
    program = "prometheus";
    uid = 65534;
    gid = 65534;
    userName = "nobody";
    dataDir = "/prometheus";
    ports = [ 9090 ];
    cacert = true;
    tzdata = false;
  };
  loki = {
    package = "loki";
    nixpkgsAttr = "grafana-loki";
    program = "loki";
    uid = 10001;
    gid = 10001;
    userName = "loki";
    dataDir = "/loki";
    ports = [ 3100 ];
    cacert = false;
    tzdata = false;
  };
  tempo = {
    package = "tempo";
    nixpkgsAttr = "tempo";
    program = "tempo";
    uid = 10001;
    gid = 10001;
    userName = "tempo";
    dataDir = "/var/tempo";
    ports = [
      3200
      4317
      4318
    ];
    cacert = false;
    tzdata = false;
  };
  grafana = {
    package = "grafana";
    nixpkgsAttr = "grafana";
    program = "grafana";
    uid = 472;
    gid = 0;
    userName = "grafana";
    dataDir = "/var/lib/grafana";
    ports = [ 3000 ];
    cacert = true;
    tzdata = true;
  };
}
