#!/usr/bin/env bash
# Renders the studio's panels to docs/screenshots/<W>x<H>/*.png at real screen sizes: for each size the app runs
# maximised under a real window manager (openbox) on an Xvfb screen of that size, and its scene is snapshotted
# (dev.styleclip.studio.Screenshots, in the test sources: tooling, not part of the app). Uses the models folder of the
# checkout (demo networks when empty) and the face-api networks from ~/.cache/styleclip (scripts/fetch-face-api) for
# the photo view. Needs xvfb and openbox (Debian).
# Usage: docs/screenshots/render.sh [PHOTO]   (default photo: the golden set's two_faces.png)
#        SIZES="1280x800" docs/screenshots/render.sh   (default sizes: 1280x800 1920x1080)
#        EDIT_SHOTS=0 docs/screenshots/render.sh        (the main window's shots only)
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
# the tiny networks in a throw-away folder (the studio's autosave of the edit shots lands beside them); the main
# window's shots use the checkout's models folder, whose autosave (sessions/ beside it) is kept aside meanwhile so that
# no run restores another's document and the user's own comes back afterwards (autosave.json and its sidecars)
work=$(mktemp -d)
tiny=$work/tiny
mkdir -p "$tiny"
sessions=$here/sessions
mkdir -p "$work/kept"
for f in "$sessions"/autosave.*; do if [ -f "$f" ]; then mv "$f" "$work/kept/"; fi; done
restore() {
  rm -f "$sessions"/autosave.*
  for f in "$work/kept"/autosave.*; do if [ -f "$f" ]; then mv "$f" "$sessions/"; fi; done
  rmdir "$sessions" 2>/dev/null || true
  rm -rf "$work"
}
trap restore EXIT
g=$here/src/test/resources/golden
cp "$g/stylegan3/models/sg3t-32.pkl" "$tiny/"
cp "$g/clip/models/tiny-ViT-P8-R32.pt" "$tiny/ViT-tiny-P8-R32.pt"
cp "$g/idloss/models/irse_tiny_a.pth" "$tiny/model_ir_se50-tiny.pth"
cache=${XDG_CACHE_HOME:-$HOME/.cache}/styleclip
export DJL_OFFLINE=true DJL_CACHE_DIR=${DJL_CACHE_DIR:-$cache/djl}
# EDIT_SHOTS=0: only the main window's shots (minutes less; edit.png then shows the Edit tab before a run)
edit_shots=$([ "${EDIT_SHOTS:-1}" = 0 ] || echo 1)
command -v openbox >/dev/null || { echo "render.sh: openbox is missing (apt-get install openbox)" >&2; exit 2; }
for size in ${SIZES:-1280x800 1920x1080}; do
  echo "render.sh: $size" >&2
  # each size starts from nothing: no autosave of the previous size's windows comes back
  rm -rf "$work/sessions"
  # nor its trained mapper: the Mapper shot trains one from scratch at every size
  rm -rf "$tiny/mappers"
  rm -f "$sessions"/autosave.*
  # openbox first, then the studio maximised on the whole screen (Screenshots reads screenshots.maximize)
  xvfb-run -a -s "-screen 0 ${size}x24" bash -c 'openbox >/dev/null 2>&1 & wm=$!; sleep 1; "$@"; rc=$?; kill $wm; exit $rc' _ \
    java -Xmx6g \
    -Dstyleclip.home="$here" -Dai.djl.offline=true -Dai.djl.pytorch.num_interop_threads=1 \
    -Dscreenshots.maximize=true \
    ${edit_shots:+-Dscreenshots.editModels="$tiny"} -Dscreenshots.photo="$g/faces/images/grace_hopper.png" -Dfaceapi.dir="${FACEAPI_DIR:-$cache/face-api-1.7.15}" -Dprism.order=sw \
    -cp "target/test-classes:target/styleclip-studio.jar:$(cat target/runtime-classpath.txt)" \
    dev.styleclip.studio.Screenshots "docs/screenshots/$size" "$photo"
done
