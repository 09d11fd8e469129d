# The flake's outputs without flakes, from the same nixpkgs pin (flake.lock):
#   nix-build -A packages.x86_64-linux.gstackc
#   nix-instantiate --eval --strict --json -A config.prometheus
#   (import ./. { }).lib.mkStack { src = ./my.gstack; pkgs = import <nixpkgs> { }; }
# Pass `--arg nixpkgs /path/to/nixpkgs` to use another nixpkgs.
{
  nixpkgs ?
    let
      locked = (builtins.fromJSON (builtins.readFile ./flake.lock)).nodes.nixpkgs.locked;
    in
    builtins.fetchTarball {
      url = "https://github.com/${locked.owner}/${locked.repo}/archive/${locked.rev}.tar.gz";
      sha256 = locked.narHash;
    },
}:
let
  lib = import (nixpkgs + "/lib");
  # the two attributes of a nixpkgs flake that nix/outputs.nix uses
  nixpkgsFlake = {
    inherit lib;
    legacyPackages =
      lib.genAttrs
        (import ./nix/lib.nix {
          inherit lib;
          gstackSrc = null;
        }).systems
        (system: import nixpkgs { inherit system; });
  };
in
import ./nix/outputs.nix { nixpkgs = nixpkgsFlake; }
