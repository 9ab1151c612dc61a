"""Animations as videos embedded in the page: frames drawn by matplotlib, encoded to H.264 by ffmpeg.

ffmpeg comes from the imageio-ffmpeg wheel, so no system ffmpeg is needed. The
video travels inside the HTML (base64), so it plays on a static website and offline.
"""

from __future__ import annotations

import base64
import html as html_text
import math
import os
import tempfile
import warnings
from typing import Callable, Optional

import ffmpeg
import imageio_ffmpeg
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure

# Every animation moves for at least MOTION_SECONDS, then rests on its last frame
# for HOLD_SECONDS before it loops, so the eye can follow it and read the result.
MOTION_SECONDS = 3.5
HOLD_SECONDS = 1.5
# A blank band under the picture, in CSS pixels, where the browser lays its video
# controls. Chromium's bar with its buttons and time line is about 60 px tall at any
# size the page shows the video, so the band is kept in CSS pixels (not drawn into the
# frames, where it would shrink with the picture on a narrow column).
CONTROLS_PIXELS = 64


def ffmpeg_executable() -> str:
    """The ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def _words(fig):
    """The words on `fig` as drawn now: its own texts (a title), then each visible panel's title and texts."""
    texts = [text.get_text() for text in fig.texts]
    for ax in fig.axes:
        if ax.get_visible():
            texts += [ax.get_title(loc) for loc in ("left", "center", "right")]
            texts += [text.get_text() for text in ax.texts]
    words = (" ".join(text.split()) for text in texts)
    return [word for word in words if word]


def _change(first, last):
    """`first` becoming `last`: "t = 0.00 to 1.00" where only the last word changes, else "from ... to ..."."""
    common = os.path.commonprefix([first, last])
    stem = common[: common.rfind(" ") + 1]
    if " " in first[len(stem) :] or " " in last[len(stem) :]:
        return f"from {first} to {last}"
    return f"{first} to {last[len(stem) :]}"


def _name(first, last):
    """A name for a video, from the words of its first and last frames: what stays (the titles), then what changes."""
    if len(first) != len(last):
        first = last
    same = [a for a, b in zip(first, last) if a == b]
    changing = [_change(a, b) for a, b in zip(first, last) if a != b]
    return "; ".join(same + changing) or "animation"


def _render_frames(fig, update, frames, seen):
    """Each frame's pixels; the words of the first and the last frame are appended to `seen`."""
    for i in range(frames):
        update(i)
        fig.canvas.draw()
        if i in (0, frames - 1):
            seen.append(_words(fig))
        yield np.asarray(fig.canvas.buffer_rgba())[..., :3].tobytes()


def _encode_mp4(fig, update, frames, held, fps, description):
    """The video of `frames` drawn frames, the last one shown `held` more times (drawn once)."""
    fig.canvas.draw()
    width, height = fig.canvas.get_width_height()
    seen = []
    pictures = list(_render_frames(fig, update, frames, seen))
    raw = b"".join(pictures + pictures[-1:] * held)
    label = html_text.escape(description or _name(seen[0], seen[-1]))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "animation.mp4")
        stream = ffmpeg.input(
            "pipe:", format="rawvideo", pix_fmt="rgb24", s=f"{width}x{height}", framerate=f"{fps:.6f}"
        )
        # H.264 in yuv420p plays in every browser; it needs even frame sizes.
        pad = "pad=ceil(iw/2)*2:ceil(ih/2)*2:0:0:white"
        stream = stream.output(path, vcodec="libx264", pix_fmt="yuv420p", crf=26, vf=pad, movflags="+faststart")
        stream.overwrite_output().run(cmd=ffmpeg_executable(), input=raw, quiet=True)
        with open(path, "rb") as file:
            encoded = base64.b64encode(file.read()).decode("ascii")
    # the box's shape is the encoded picture's, padded to even sizes, so the band under it is exact
    return _video_with_band(width + width % 2, height + height % 2, label, f"data:video/mp4;base64,{encoded}")


def _video_with_band(width, height, label, src):
    """A <video> at most `width` px wide, centred, with CONTROLS_PIXELS of white under the picture.

    The video's box is that much taller than its picture, which sits at the top of it
    (object-fit: contain, object-position: top), so the browser's controls, laid over
    the bottom of the box, cover the white band and not the axis labels.
    """
    box = f"position:relative;padding-top:calc({100 * height / width:.4f}% + {CONTROLS_PIXELS}px)"
    fill = "position:absolute;top:0;left:0;width:100%;height:100%;object-fit:contain;object-position:top"
    return (
        f'<div style="max-width:{width}px;margin:0 auto"><div style="{box}">'
        f'<video controls autoplay loop muted playsinline width="{width}" height="{height}" '
        f'style="{fill};background:#fff" aria-label="{label}" src="{src}"></video></div></div>'
    )


def _javascript_player(fig, update, frames, fps, description):
    if not description:
        update(0)
        first = _words(fig)
        update(frames - 1)
        description = _name(first, _words(fig))
    player = FuncAnimation(fig, update, frames=frames, interval=1000 / fps).to_jshtml(default_mode="loop")
    label = html_text.escape(description)
    player = player.replace("<img id=", f'<img alt="{label}" id=', 1)
    return f'<div role="group" aria-label="{label}">{player}</div>'


def animate(
    fig: Figure, update: Callable[[int], None], frames: int, fps: int = 20, description: Optional[str] = None
) -> HTML:
    """Play `update(i)` for i in range(frames) on `fig` as an HTML5 <video> (H.264 made by ffmpeg).

    At most `fps` frames a second, and slower when that would end the motion in
    under MOTION_SECONDS; then the last frame stays for HOLD_SECONDS.
    `description` is the video's name for screen readers (its aria-label). By default
    the name is made of the figure's own words: the titles, then what changes from
    the first frame to the last ("teacher; reflow student; t = 0.00 to 1.00").
    If ffmpeg cannot encode, falls back to matplotlib's JavaScript player. The figure is closed.
    """
    if not isinstance(frames, int) or frames < 1 or not fps > 0:
        raise ValueError(f"an animation needs at least one frame and a positive fps, got frames={frames}, fps={fps}")
    fps = min(fps, frames / MOTION_SECONDS)
    held = math.ceil(HOLD_SECONDS * fps)

    try:
        html = _encode_mp4(fig, update, frames, held, fps, description)
    except (OSError, ffmpeg.Error) as error:
        warnings.warn(
            f"ffmpeg could not encode the video ({error}); showing a JavaScript animation instead", stacklevel=2
        )
        html = _javascript_player(fig, lambda i: update(min(i, frames - 1)), frames + held, fps, description)
    plt.close(fig)
    return HTML(html)
