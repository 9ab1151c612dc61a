"""Animations as videos embedded in the page: frames drawn by matplotlib, encoded to H.264 by ffmpeg.

ffmpeg comes from the imageio-ffmpeg wheel, so no system ffmpeg is needed. The
video travels inside the HTML (base64), so it plays on a static website and offline.
"""

from __future__ import annotations

import base64
import os
import tempfile
import warnings
from typing import Callable

import ffmpeg
import imageio_ffmpeg
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import HTML
from matplotlib.animation import FuncAnimation
from matplotlib.figure import Figure


def ffmpeg_executable() -> str:
    """The ffmpeg binary shipped in the imageio-ffmpeg wheel."""
    return imageio_ffmpeg.get_ffmpeg_exe()


def _render_frames(fig, update, frames):
    for i in range(frames):
        update(i)
        fig.canvas.draw()
        yield np.asarray(fig.canvas.buffer_rgba())[..., :3].tobytes()


def _encode_mp4(fig, update, frames, fps):
    fig.canvas.draw()
    width, height = fig.canvas.get_width_height()
    raw = b"".join(_render_frames(fig, update, frames))
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "animation.mp4")
        stream = ffmpeg.input("pipe:", format="rawvideo", pix_fmt="rgb24", s=f"{width}x{height}", framerate=fps)
        # H.264 in yuv420p plays in every browser; it needs even frame sizes.
        stream = stream.output(
            path, vcodec="libx264", pix_fmt="yuv420p", crf=26, vf="pad=ceil(iw/2)*2:ceil(ih/2)*2", movflags="+faststart"
        )
        stream.overwrite_output().run(cmd=ffmpeg_executable(), input=raw, quiet=True)
        with open(path, "rb") as file:
            encoded = base64.b64encode(file.read()).decode("ascii")
    return (
        f'<video controls autoplay loop muted playsinline style="max-width:100%" width="{width}" '
        f'src="data:video/mp4;base64,{encoded}"></video>'
    )


def animate(fig: Figure, update: Callable[[int], None], frames: int, fps: int = 20) -> HTML:
    """Play `update(i)` for i in range(frames) on `fig` as an HTML5 <video> (H.264 made by ffmpeg).

    If ffmpeg cannot encode, falls back to matplotlib's JavaScript player. The figure is closed.
    """
    try:
        html = _encode_mp4(fig, update, frames, fps)
    except (OSError, ffmpeg.Error) as error:
        warnings.warn(
            f"ffmpeg could not encode the video ({error}); showing a JavaScript animation instead", stacklevel=2
        )
        html = FuncAnimation(fig, update, frames=frames, interval=1000 / fps).to_jshtml(default_mode="loop")
    plt.close(fig)
    return HTML(html)
