# Streams one image (a networked build: the programs come from the binary cache) and checks
# what it promises: the tag the compose target names, the component's non-root user, and no
# shell at /bin/sh.
{
  pkgs,
  img,
  user,
}:
# (`:` of the image reference is not allowed in a store path name)
pkgs.runCommand "gstack-check-${pkgs.lib.replaceStrings [ ":" ] [ "-" ] (baseNameOf img.imageRef)}"
  { nativeBuildInputs = [ pkgs.jq ]; }
  ''
    mkdir image
    ${img} | tar -x -C image
    jq -e --arg tag ${pkgs.lib.escapeShellArg img.imageRef} \
      '.[0].RepoTags == [ $tag ]' image/manifest.json
    config=$(jq -r '.[0].Config' image/manifest.json)
    jq -e --arg user ${user} '.config.User == $user' "image/$config"
    for layer in $(jq -r '.[0].Layers[]' image/manifest.json); do
      if tar -tf "image/$layer" | grep -qxE '(\./)?bin/(sh|bash)'; then
        echo "${img.imageRef}: has a shell at /bin/sh" >&2
        exit 1
      fi
    done
    echo "${img.imageRef} runs as ${user}, no /bin/sh" > "$out"
  ''
