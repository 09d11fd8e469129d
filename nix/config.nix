# The flake's `config` output: the default stack (examples/default.gstack) as Nix data,
# system-independent and without import-from-derivation. It reads nix/stack.nix, which
# `gstackc build examples/default.gstack --target nix` writes and which is committed;
# nix/check-stack-nix.sh (and `checks.<system>.stack-nix-fresh`) fail when it is stale.
#
#   nix eval --json .#config.prometheus      # one service: program, args, ports, config files
#   nix eval --json .#config.stack.grafana   # the typed IR of one component
let
  stack =
    if builtins.pathExists ./stack.nix then
      import ./stack.nix
    else
      throw "gstack: nix/stack.nix is missing; run nix/check-stack-nix.sh --update";
in
# the same view as lib.fromStackNix: the file, plus each service record at the top
stack // stack.services
