# checks.<linux>.nixos-module: a NixOS VM importing nixosModules.default for the bundled
# example (examples/default.gstack, `stack shop`), booted by pkgs.testers.runNixOSTest. It
# waits for gstack-shop.target and each program's readiness endpoint on 127.0.0.1, and looks
# at what the module promises: store paths in the units, Grafana's home from its package, the
# config under /etc/gstack/shop, the data in StateDirectory=. Needs KVM (the networked CI).
{ pkgs, module }:
let
  # the example's secrets, written before the units that read them start: secret.file(…) at
  # the paths the stack names, secret.env(…) in the module's secretsEnvFile
  readers = [
    "gstack-shop-grafana.service"
    "gstack-shop-alertmanager.service"
  ];
  # each program's readiness endpoint (nix/components.nix ports; gstackc's `readiness` in ir.json)
  ready = [
    "http://127.0.0.1:9100/metrics"
    "http://127.0.0.1:9090/-/ready"
    "http://127.0.0.1:9093/-/ready"
    "http://127.0.0.1:3100/ready"
    "http://127.0.0.1:3200/ready"
    "http://127.0.0.1:3000/api/health"
  ];
in
pkgs.testers.runNixOSTest {
  name = "gstack-nixos-module";
  globalTimeout = 1800;

  nodes.machine =
    { pkgs, ... }:
    {
      imports = [ module ];
      services.gstack.shop = {
        enable = true;
        source = ../examples/default.gstack;
        secretsEnvFile = "/run/secrets/gstack-shop.env";
      };
      systemd.services.vm-test-secrets = {
        before = readers;
        requiredBy = readers;
        serviceConfig = {
          Type = "oneshot";
          RemainAfterExit = true;
        };
        script = ''
          umask 077
          mkdir -p /run/secrets
          printf admin-password > /run/secrets/grafana-admin
          printf warehouse-password > /run/secrets/warehouse-ro
          printf 'GRAFANA_SECRET_KEY=vm-test-secret-key\nONCALL_URL=http://127.0.0.1:9/hook\n' \
            > /run/secrets/gstack-shop.env
        '';
      };
      environment.systemPackages = [ pkgs.curl ];
      virtualisation.memorySize = 4096;
      virtualisation.diskSize = 4096;
    };

  testScript = ''
    machine.wait_for_unit("gstack-shop.target", timeout=600)
    for url in ${builtins.toJSON ready}:
        machine.wait_until_succeeds(f"curl -fsS --max-time 2 {url} >/dev/null", timeout=300)

    with subtest("the units run store paths, not /bin/bash; Grafana's home is its package's"):
        units = machine.succeed("systemctl cat 'gstack-shop-*.service'")
        for line in units.splitlines():
            if line.startswith("Exec"):
                command = line.split("=", 1)[1].lstrip("-+@:!")
                assert command.startswith("/nix/store/"), line
        assert "/usr/share/grafana" not in units, units
        env = machine.succeed("systemctl show -p Environment gstack-shop-grafana.service")
        assert "GSTACK_GRAFANA_HOME=/nix/store/" in env and "/share/grafana" in env, env

    with subtest("config in /etc/gstack/shop, data in the state directories"):
        machine.succeed("test -f /etc/gstack/shop/grafana/grafana.ini")
        machine.succeed("test -f /etc/gstack/shop/prometheus/prometheus.yml")
        machine.succeed("test -L /etc/gstack/shop/secrets.env")
        for service in ["grafana", "prometheus", "loki", "tempo", "alertmanager"]:
            machine.succeed(
                f"test -d /var/lib/gstack-shop/{service} || test -d /var/lib/private/gstack-shop/{service}"
            )

    with subtest("the programs listen on 127.0.0.1 only"):
        for line in machine.succeed("ss -Htln").splitlines():
            local = line.split()[3]
            if local.rsplit(":", 1)[1] in ["3000", "3100", "3200", "9090", "9093", "9100"]:
                assert local.startswith("127.0.0.1:"), line
  '';
}
