{
  description = "gstack: a typed language for a Grafana observability stack, compiled to every config file and to Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  # Everything is in nix/outputs.nix, which default.nix also uses (no flakes needed there).
  outputs = { nixpkgs, ... }: import ./nix/outputs.nix { inherit nixpkgs; };
}
