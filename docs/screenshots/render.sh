#!/usr/bin/env bash
# Renders the studio's panels to docs/screenshots/*.png: starts the app under Xvfb and snapshots its scene
# (dev.styleclip.studio.Screenshots, in the test sources: tooling, not part of the app). Uses the models folder of the checkout (demo networks when empty) and the
# face-api networks from ~/.cache/styleclip (scripts/fetch-face-api) for the photo view.
# Usage: docs/screenshots/render.sh [PHOTO]   (default photo: the golden set's two_faces.png)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$here"
photo=${1:-$here/src/test/resources/golden/faces/images/two_faces.png}
if [ ! -f target/styleclip-studio.jar ] || [ -n "$(find src pom.xml -newer target/styleclip-studio.jar -print -quit)" ]; then
  # the renderer is tooling, kept with the tests (target/test-classes), not in the app
  mvn -o -q -B -DskipTests -Dexec.skip=true package
  touch target/styleclip-studio.jar
fi
# the Edit, Compare and Mapper shots run real optimisations and a short mapper training: on the tiny test networks
# (32 px generator, tiny CLIP and ArcFace from the golden sets), since the 256 px demo networks take minutes per step
# on a CPU
tiny=$(mktemp -d)
trap 'rm -rf "$tiny"' EXIT
g=$here/src/test/resources/golden
cp "$g/stylegan3/models/sg3t-32.pkl" "$tiny/"
cp "$g/clip/models/tiny-ViT-P8-R32.pt" "$tiny/ViT-tiny-P8-R32.pt"
cp "$g/idloss/models/irse_tiny_a.pth" "$tiny/model_ir_se50-tiny.pth"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/styleclip
export DJL_OFFLINE=true DJL_CACHE_DIR=${DJL_CACHE_DIR:-$cache/djl}
xvfb-run -a -s "-screen 0 1400x1000x24" java -Xmx6g \
  -Dstyleclip.home="$here" -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 \
  -Dscreenshots.editModels="$tiny" -Dscreenshots.photo="$g/faces/images/grace_hopper.png" -Dfaceapi.dir="${FACEAPI_DIR:-$cache/face-api-1.7.15}" -Dprism.order=sw \
  -cp "target/test-classes:target/styleclip-studio.jar:$(cat target/runtime-classpath.txt)" \
  dev.styleclip.studio.Screenshots docs/screenshots "$photo"
