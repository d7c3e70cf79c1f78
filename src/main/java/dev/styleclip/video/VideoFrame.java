package dev.styleclip.video;

import dev.styleclip.image.RgbImage;

/**
 * One decoded frame, upright.
 *
 * @param index   position in the clip, from 0
 * @param seconds when it is shown, from the first frame
 * @param image   the picture, rotation metadata applied
 */
public record VideoFrame(int index, double seconds, RgbImage image) {
}
