# The programs of a gstack stack, as plain data (needs nothing, not even `lib`).
#
# Keys are the component names gstackc uses (`node_exporter`, not `node-exporter`).
# - package:     the flake's package attribute (and image `gstack/<package>`)
# - nixpkgsAttr: where nixpkgs 25.11 keeps it (pkgs/by-name/…/package.nix, read for this)
# - program:     the executable in `bin/` (gstackc's `bin` map key is the component's program)
# - uid/gid:     the user the container images run as; the compose and Kubernetes targets
#                use the same numbers (gstackc's backends: `User { uid, gid }`)
# - dataDir:     the writable directory the image creates, owned by uid:gid
# - cacert/tzdata: whether the image carries CA certificates / the time zone database
{
  grafana = {
    package = "grafana";
    nixpkgsAttr = "grafana";
    program = "grafana";
    uid = 472;
    gid = 0;
    userName = "grafana";
    dataDir = "/var/lib/grafana";
    ports = [ 3000 ];
    # plugin catalogue, external data sources and OAuth over HTTPS; dashboards and alert
    # rules with time zones
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
    # HTTPS scrape targets and remote write
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
    # the generated config stores chunks on the local filesystem
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
    # local trace storage; remote write to Prometheus is plain HTTP inside the stack
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
    # webhook, Slack and e-mail receivers over TLS; time intervals with a `location`
    cacert = true;
    tzdata = true;
  };
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
}
