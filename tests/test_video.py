import base64
import re

import imageio_ffmpeg
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from fmlib import video  # noqa: E402


def dot_moving_right(frames):
    """A figure, and an update that moves a dot one step to the right per frame."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_xlim(0, frames)
    (dot,) = ax.plot([0], [0], "o")
    return fig, lambda i: dot.set_data([i], [0])


def decoded_video(html, tmp_path):
    match = re.search(r'<video[^>]*src="data:video/mp4;base64,([^"]+)"', html)
    assert match, "expected an embedded mp4 <video>"
    path = tmp_path / "clip.mp4"
    path.write_bytes(base64.b64decode(match.group(1)))
    return path


def test_animation_is_an_embedded_h264_video_with_every_frame(tmp_path):
    html = video.animate(*dot_moving_right(16), frames=16, fps=20).data
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(decoded_video(html, tmp_path)))
    assert frames == 16
    assert seconds == pytest.approx(16 / 20, abs=0.06)


def test_animation_falls_back_to_javascript_when_ffmpeg_fails(monkeypatch):
    monkeypatch.setattr(video, "ffmpeg_executable", lambda: "/nonexistent/ffmpeg")
    with pytest.warns(UserWarning, match="ffmpeg could not encode"):
        html = video.animate(*dot_moving_right(4), frames=4).data
    assert "<video" not in html and "<script" in html
