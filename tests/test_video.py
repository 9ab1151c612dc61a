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


@pytest.mark.parametrize("moving, fps", [(16, 20), (200, 20)])
def test_animation_is_an_embedded_h264_video_that_moves_then_rests(tmp_path, moving, fps):
    """Every frame, played slowly enough to last MOTION_SECONDS, then the last one held for HOLD_SECONDS."""
    fig, update = dot_moving_right(moving)
    shown = []
    html = video.animate(fig, lambda i: (shown.append(i), update(i)), frames=moving, fps=fps).data
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(decoded_video(html, tmp_path)))
    played = min(fps, moving / video.MOTION_SECONDS)
    held = frames - moving
    assert shown == list(range(moving))  # each frame drawn once: the held ones repeat the last picture
    assert held / played == pytest.approx(video.HOLD_SECONDS, abs=1 / played)
    assert seconds == pytest.approx(frames / played, abs=0.06)
    assert seconds >= video.MOTION_SECONDS + video.HOLD_SECONDS - 0.06


def test_the_video_leaves_a_band_under_the_picture_for_its_controls(tmp_path):
    fig, update = dot_moving_right(4)
    width, height = fig.canvas.get_width_height()
    html = video.animate(fig, update, frames=4).data
    # The frames are the figure itself (rounded up to even sizes for H.264) ...
    meta = next(imageio_ffmpeg.read_frames(str(decoded_video(html, tmp_path))))
    assert meta["size"] == (width + width % 2, height + height % 2)
    # ... and the page gives the video's box CONTROLS_PIXELS more than the picture,
    # which sits at the top of the box, so the controls cover only the band.
    box = re.search(r"padding-top:calc\(([\d.]+)% \+ (\d+)px\)", html)
    assert box, "expected the video's box to reserve a band"
    assert float(box.group(1)) == pytest.approx(100 * height / width, abs=1e-3)
    assert int(box.group(2)) == video.CONTROLS_PIXELS >= 56
    assert "object-position:top" in html and f"max-width:{width}px" in html


def test_animation_falls_back_to_javascript_when_ffmpeg_fails(monkeypatch):
    monkeypatch.setattr(video, "ffmpeg_executable", lambda: "/nonexistent/ffmpeg")
    with pytest.warns(UserWarning, match="ffmpeg could not encode"):
        html = video.animate(*dot_moving_right(4), frames=4).data
    assert "<video" not in html and "<script" in html


def aria_label(html):
    match = re.search(r'aria-label="([^"]*)"', html)
    assert match, "the animation has no accessible name (aria-label)"
    return match.group(1)


def titled_dot(frames):
    """`dot_moving_right` with a panel title that stays and a figure title that counts the frames."""
    fig, move = dot_moving_right(frames)
    fig.axes[0].set_title("a dot")
    clock = fig.suptitle("")

    def update(i):
        move(i)
        clock.set_text(f"frame {i}")

    return fig, update


def test_video_is_named_for_screen_readers_by_its_titles():
    # The titles that stay, then what changes from the first frame to the last.
    html = video.animate(*titled_dot(8), frames=8).data
    assert re.search(r"<video[^>]*aria-label=", html)
    assert aria_label(html) == "a dot; frame 0 to 7"


def test_a_description_names_the_video_instead():
    html = video.animate(*titled_dot(4), frames=4, description='a dot "moving" right').data
    assert aria_label(html) == "a dot &quot;moving&quot; right"


def test_the_javascript_fallback_is_named_too(monkeypatch):
    monkeypatch.setattr(video, "ffmpeg_executable", lambda: "/nonexistent/ffmpeg")
    with pytest.warns(UserWarning, match="ffmpeg could not encode"):
        html = video.animate(*titled_dot(4), frames=4).data
    assert aria_label(html) == "a dot; frame 0 to 3"
    assert '<img alt="a dot; frame 0 to 3"' in html
