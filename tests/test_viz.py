import base64
import re

import imageio_ffmpeg
import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import fmlib  # noqa: E402
from fmlib import viz  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def swirl(x, t):
    return torch.stack([-x[:, 1], x[:, 0]], dim=1) * (1 + t)


def every_axis_is_labelled(fig):
    plots = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    return plots and all(ax.get_xlabel() and ax.get_ylabel() for ax in plots)


def test_shared_figures_label_their_axes():
    x0, x1 = fmlib.sample("gaussian", 200, seed=0), fmlib.sample("moons", 200, seed=0)
    sol = fmlib.integrate(swirl, x0, steps=10, trajectory=True)
    figures = [
        viz.source_and_target(x0, x1),
        viz.flow_sequence(sol.trajectory, sol.times, panels=4),
        viz.lines_field_paths(x0, x1, swirl, sol.trajectory),
    ]
    fig, ax = plt.subplots()
    viz.paths_1d(ax, sol.times, sol.trajectory[:, :, 0])
    figures.append(fig)
    assert all(every_axis_is_labelled(f) for f in figures)
    assert len(figures[1].axes) == 4


def test_flow_sequence_shows_the_requested_times():
    sol = fmlib.integrate(swirl, fmlib.sample("square", 5, seed=0), steps=8, trajectory=True)
    fig = viz.flow_sequence(sol.trajectory, sol.times, panels=3)
    assert [ax.get_title() for ax in fig.axes] == ["t = 0.00", "t = 0.50", "t = 1.00"]


@pytest.mark.parametrize("count, columns, shape", [(6, 3, (2, 3)), (5, 3, (2, 3)), (4, 2, (2, 2)), (2, 3, (1, 3))])
def test_panel_grid_shows_exactly_the_panels_asked_for(count, columns, shape):
    fig, axes = viz.panel_grid(count, columns)
    assert len(axes) == count and all(ax.get_visible() for ax in axes)
    assert sum(ax.get_visible() for ax in fig.axes) == count
    assert len(fig.axes) == shape[0] * shape[1]
    assert fig.get_figwidth() <= 10


def test_grids_of_rides_and_clouds_title_their_panels():
    points, labels = fmlib.shapes.sample_labelled("eight_gaussians", 80, seed=0)
    clouds = viz.labelled_clouds({"w = 0": (points, labels), "target": (points, labels)}, "guidance")
    rides = viz.parabola_rides({"euler": fmlib.parabola.ride(4, "euler"), "rk4": fmlib.parabola.ride(4, "rk4")},
                               "rides", columns=2)
    for fig, titles in [(clouds, ["w = 0", "target"]), (rides, ["euler", "rk4"])]:
        shown = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in shown] == titles
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in shown)


def test_time_colour_runs_from_source_to_target():
    assert viz.time_colour(0.0) == pytest.approx(matplotlib.colors.to_rgb(viz.SOURCE))
    assert viz.time_colour(1.0) == pytest.approx(matplotlib.colors.to_rgb(viz.TARGET))


def decoded_video(html, tmp_path):
    match = re.search(r'<video[^>]*src="data:video/mp4;base64,([^"]+)"', html)
    assert match, "expected an embedded mp4 <video>"
    path = tmp_path / "clip.mp4"
    path.write_bytes(base64.b64decode(match.group(1)))
    return path


def test_animation_is_an_embedded_h264_video_with_every_frame(tmp_path):
    sol = fmlib.integrate(swirl, fmlib.sample("heart", 100, seed=0), steps=12, trajectory=True)
    html = viz.animate_clouds(sol.trajectory, sol.times, titles=["swirl"], hold=3).data
    frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(decoded_video(html, tmp_path)))
    assert frames == 13 + 3
    assert seconds == pytest.approx(16 / 20, abs=0.06)


def test_animation_falls_back_to_javascript_when_ffmpeg_fails(monkeypatch):
    monkeypatch.setattr(viz, "ffmpeg_executable", lambda: "/nonexistent/ffmpeg")
    sol = fmlib.integrate(swirl, fmlib.sample("square", 5, seed=0), steps=3, trajectory=True)
    with pytest.warns(UserWarning, match="ffmpeg could not encode"):
        html = viz.animate_clouds(sol.trajectory, sol.times, hold=0).data
    assert "<video" not in html and "<script" in html
