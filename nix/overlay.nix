# overlays.default: gstackc and the package scope in your nixpkgs, and mkStack bound to it.
#   pkgs.gstackc
#   pkgs.gstackPackages.grafana-image
#   pkgs.mkGstack { src = ./my.gstack; }     # = gstack.lib.mkStack { pkgs = final; … }
{ gstackLib, gstackSrc }:
final: _prev: {
  gstackPackages = import ./packages.nix {
    inherit (final) lib;
    pkgs = final;
    inherit gstackSrc;
    inherit (gstackLib) components imageName;
  };
  inherit (final.gstackPackages) gstackc;
  mkGstack = args: gstackLib.mkStack ({ pkgs = final; } // args);
}
