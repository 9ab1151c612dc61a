import base64
import subprocess
import sys

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import fmlib  # noqa: E402
from conftest import MIXTURE, NAN, Cases, X, Y, accepted, nan_points, net, refused  # noqa: E402
from fmlib import parabola, viz  # noqa: E402


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
    rides = viz.curve_rides(
        {"euler": fmlib.parabola.ride(4, "euler"), "rk4": fmlib.parabola.ride(4, "rk4")},
        fmlib.parabola.height,
        "rides",
        columns=2,
    )
    for fig, titles in [(clouds, ["w = 0", "target"]), (rides, ["euler", "rk4"])]:
        shown = [ax for ax in fig.axes if ax.get_visible()]
        assert [ax.get_title() for ax in shown] == titles
        assert all(ax.get_xlabel() and ax.get_ylabel() for ax in shown)


def test_time_colour_runs_from_source_to_target():
    assert viz.time_colour(0.0) == pytest.approx(matplotlib.colors.to_rgb(viz.SOURCE))
    assert viz.time_colour(1.0) == pytest.approx(matplotlib.colors.to_rgb(viz.TARGET))


@pytest.fixture
def animated(monkeypatch):
    """The (figure, frame count, update) that viz hands to the video encoder, instead of encoding them."""
    shown = []
    monkeypatch.setattr(
        viz.animations, "animate", lambda fig, update, frames, fps=20: shown.append((fig, frames, update))
    )
    return shown


def test_figures_built_from_many_panels_stay_within_the_page_width(animated):
    # Widths computed from a number of panels are scaled down to viz.PAGE_WIDTH.
    sol = fmlib.integrate(swirl, fmlib.sample("gaussian", 50, seed=0), steps=6, trajectory=True)
    clouds = [("pair", sol.trajectory[0], sol.x)] * 8
    figures = [
        viz.panel_grid(12, columns=6)[0],
        viz.flow_sequence(sol.trajectory, sol.times, panels=9),
        viz.gallery(clouds),
        viz.with_side_densities((-3, 3), torch.ones_like, torch.ones_like, figsize=(14, 4))[0],
    ]
    viz.animate_clouds([sol.trajectory] * 3, sol.times)
    viz.animate_fields([swirl] * 4, ["swirl"] * 4, frames=2)
    figures += [fig for fig, *_ in animated]
    assert [fig.get_figwidth() <= viz.PAGE_WIDTH + 1e-9 for fig in figures] == [True] * len(figures)
    assert animated[0][1] == 7  # every step (the video holds the last frame)


def test_animation_frames_draw_fewer_streamlines_than_still_figures(animated):
    # Animations draw their fields at viz.FRAME_STREAMLINE_DENSITY, sparser than a still figure, to render faster.
    def arrows(ax):
        return len(ax.patches)  # one arrow per streamline

    fig, ax = plt.subplots()
    viz.vector_field(ax, swirl, t=1.0)
    viz.animate_fields([swirl], ["swirl"], frames=2)
    frame, _, update = animated[0]
    update(1)  # the last frame: t = 1, as in the still figure
    assert 0 < arrows(frame.axes[0]) < arrows(ax)


def test_a_ride_along_a_curve_shows_the_curve_its_end_and_the_miss():
    ride = fmlib.parabola.ride(10, "euler")
    fig, ax = plt.subplots()
    viz.curve_ride(ax, ride, fmlib.parabola.height, title="ten steps")
    assert ax.get_title() == "ten steps" and ax.get_xlabel() and ax.get_ylabel()
    assert f"miss {fmlib.parabola.miss(ride):.3f}" in ax.texts[0].get_text()


def test_book_style_sets_the_defaults_it_names():
    with matplotlib.rc_context():
        matplotlib.rcParams["axes.spines.top"] = True
        viz.use_book_style()
        assert all(matplotlib.rcParams[name] == value for name, value in viz.BOOK_STYLE.items())


def test_importing_fmlib_leaves_matplotlib_settings_alone():
    script = "import matplotlib as mpl; before = dict(mpl.rcParams); import fmlib; print(dict(mpl.rcParams) == before)"
    assert subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout == "True\n"


def test_streamlines_and_paths_draw_each_frame_with_the_trails_so_far(monkeypatch):
    drawn = []
    monkeypatch.setattr(
        viz.animations, "animate", lambda fig, update, frames, fps=20: drawn.append((fig, update, frames))
    )
    sol = fmlib.integrate(swirl, fmlib.sample("gaussian", 5, seed=0), steps=7, trajectory=True)
    viz.animate_streamlines_and_paths(swirl, sol.trajectory, sol.times, every=3)
    ((fig, update, frames),) = drawn
    assert frames == 3 + 1  # steps 0, 3, 6, then the last (7)
    update(1)  # the frame of step 3
    (ax,) = fig.axes
    assert ax.get_title() == f"streamlines at t = {sol.times[3]:.2f}, paths so far"
    trails = [line for line in ax.get_lines() if len(line.get_xdata()) == 4]
    assert len(trails) == 5  # one trail per particle, through steps 0 to 3
    assert ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match="times"):
        viz.animate_streamlines_and_paths(swirl, sol.trajectory, sol.times[:-1])


def test_a_ride_that_strays_below_the_curve_stays_in_view():
    ride = fmlib.parabola.ride(8, "euler", warp=1.2)  # coarse steps overshoot below the vertex
    fig, ax = plt.subplots()
    viz.curve_ride(ax, ride, fmlib.parabola.height)
    points = ride.trajectory[:, 0].numpy()
    (bottom, top), (left, right) = ax.get_ylim(), ax.get_xlim()
    assert bottom < points[:, 1].min() and top > points[:, 1].max()
    assert left < points[:, 0].min() and right > points[:, 0].max()


def test_page_png_fits_the_column_keeps_text_legible_and_doubles_the_pixels():
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.set_title("a title", fontsize=6)
    ax.legend(handles=ax.plot([0, 1], label="a line"), fontsize=7)
    png, size = viz.page_png(fig)
    assert fig.get_figwidth() == pytest.approx(viz.PAGE_WIDTH) and fig.get_figheight() == pytest.approx(3 * 0.68)
    texts = [text for text in fig.findobj(matplotlib.text.Text) if text.get_text()]
    assert len(texts) > 5 and min(text.get_fontsize() for text in texts) >= viz.MIN_FONT_POINTS
    wide, high = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (size["width"], size["height"]) == (wide // 2, high // 2)
    assert viz.PAGE_WIDTH * fig.dpi * 0.75 < size["width"] <= viz.PAGE_WIDTH * fig.dpi  # trimmed, never wider
    plt.close(fig)


def test_a_row_without_constrained_layout_is_not_stacked_and_hidden_panels_are_left_out():
    fig, _ = plt.subplots(1, 3, figsize=(8, 3))  # no layout engine: stacked titles would run into labels
    assert viz.stacked_png(fig) is None
    fig, axes = viz.panel_grid(2, columns=3)  # a row of three with the third hidden
    _, size = viz.stacked_png(fig)
    assert size["height"] == pytest.approx(2 * size["width"], rel=0.25)  # two square panels, not three
    plt.close("all")


def test_budget_axis_ticks_every_budget_and_labels_those_that_have_room():
    fig, ax = plt.subplots()
    viz.budget_axis(ax, [64, 4, 8, 12, 16, 20, 24, 32, 48])
    assert list(ax.get_xticks()) == [4, 8, 12, 16, 20, 24, 32, 48, 64]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["4", "8", "", "16", "", "", "32", "", "64"]
    viz.budget_axis(ax, [1, 2, 4, 8, 100])
    assert [label.get_text() for label in ax.get_xticklabels()] == ["1", "2", "4", "8", "100"]
    plt.close(fig)


def png_size(png):
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_a_row_of_panels_is_also_drawn_as_a_column_for_a_phone():
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), sharey=True, constrained_layout=True)
    for ax, title in zip(axes, ["left", "middle", "right"]):
        ax.plot([0, 1], [0, 2])
        ax.set_title(title, fontsize=6)
    fig.colorbar(axes[2].imshow([[0, 1], [1, 0]]), ax=axes[2])  # a colour bar is not a panel
    column_figure = viz.column_of_panels(fig)
    viz.page_png(column_figure)  # raises its small text, as the page's picture has it
    png, size = viz.page_figure(fig)
    size_before, boxes_before = tuple(fig.get_size_inches()), [ax.get_position() for ax in fig.axes[:3]]
    assert (size["width"], size["height"]) == tuple(n // 2 for n in png_size(png))  # the row, as page_png draws it
    stacked = size["stacked"]
    column = base64.b64decode(stacked["png"])
    assert (stacked["width"], stacked["height"]) == tuple(n // 2 for n in png_size(column))
    assert viz.PHONE_COLUMN_PIXELS * 0.9 < stacked["width"] <= viz.PHONE_COLUMN_PIXELS
    # Each panel keeps its shape: a third of the row's width each, three high.
    assert stacked["height"] / stacked["width"] == pytest.approx(3 * 3 * 3.5 / 10, rel=0.15)
    boxes = [ax.get_position() for ax in column_figure.axes[:3]]
    assert len({round(box.x0, 3) for box in boxes}) == 1 and boxes[0].y0 > boxes[1].y0 > boxes[2].y0
    # Alone in its row, every panel shows its y labels, though the row shared them.
    axes = column_figure.axes[:3]
    assert all(any(label.get_visible() and label.get_text() for label in ax.get_yticklabels()) for ax in axes)
    texts = [text for text in column_figure.findobj(matplotlib.text.Text) if text.get_text()]
    assert min(text.get_fontsize() for text in texts) >= viz.MIN_FONT_POINTS
    # The column was drawn on a copy: the figure itself is still the row, and shows as the row again.
    assert tuple(fig.get_size_inches()) == pytest.approx(size_before)
    assert [box.bounds for box in boxes_before] == [ax.get_position().bounds for ax in fig.axes[:3]]
    again, again_size = viz.page_figure(fig)
    assert png_size(again) == png_size(png) and again_size["stacked"]["height"] == stacked["height"]
    plt.close(column_figure)
    assert plt.get_fignums() == [fig.number]  # page_figure closed its copies: Jupyter shows only the figure
    plt.close(fig)


@pytest.mark.parametrize(
    "layout",
    [
        dict(nrows=1, ncols=1),
        dict(nrows=2, ncols=2),
        dict(nrows=1, ncols=3, gridspec_kw={"width_ratios": [1, 4, 1]}),  # side panels around a main one
    ],
    ids=["one panel", "a grid", "unequal columns"],
)
def test_only_a_row_of_equal_panels_is_stacked(layout):
    fig, _ = plt.subplots(figsize=(8, 3), layout="constrained", **layout)
    assert viz.stacked_png(fig) is None
    assert tuple(fig.get_size_inches()) == (8, 3)  # untouched
    assert "stacked" not in viz.page_figure(fig)[1]
    plt.close(fig)


def test_square_panels_have_short_tick_labels_that_do_not_collide():
    fig, axes = viz.panel_grid(5, columns=5)
    cloud = fmlib.sample("gaussian", 200, seed=0) * 1.5
    for ax, lim in zip(axes, [3.5, 4, 4.2, 2.6, 6]):
        viz.cloud(ax, cloud, viz.SOURCE, "a cloud", lim=lim)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        labels = [label for label in ax.get_xticklabels() if label.get_text()]
        boxes = [label.get_window_extent(renderer) for label in labels]
        assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), [label.get_text() for label in labels]
        assert len(labels) >= 3  # and the axis still has a scale
    plt.close(fig)


# --- bad input: figures (the probe is in conftest.py) ---------------------------------


def axes():
    return plt.subplots()[1]


def trajectory(steps=4, n=10):
    return fmlib.integrate(swirl, fmlib.sample("gaussian", n, seed=0), steps=steps, trajectory=True)


def figure_made(result):
    return isinstance(result, (matplotlib.figure.Figure, matplotlib.axes.Axes, matplotlib.image.AxesImage))


case = Cases()
case("gallery: one pair", lambda: viz.gallery([("a", X, Y)]), accepted(figure_made))
case("gallery: no pairs", lambda: viz.gallery([]), refused(ValueError, "pairs"))
case(
    "flow_sequence: one panel",
    lambda: viz.flow_sequence(trajectory().trajectory, trajectory().times, panels=1),
    accepted(figure_made),
)
case(
    "flow_sequence: no panels",
    lambda: viz.flow_sequence(trajectory().trajectory, trajectory().times, panels=0),
    refused(ValueError, "panels"),
)
case("flow_sequence: a 2D trajectory", lambda: viz.flow_sequence(X, torch.rand(16)), refused(ValueError, "trajectory"))
case(
    "flow_sequence: times of another length",
    lambda: viz.flow_sequence(trajectory().trajectory, torch.rand(3)),
    refused(ValueError, "times"),
)
for label, points in [("empty", torch.empty(0, 2)), ("1D", torch.randn(10)), ("(n, 3)", torch.randn(10, 3))]:
    case(f"cloud: {label} points", lambda p=points: viz.cloud(axes(), p, viz.SOURCE), refused(ValueError, "points"))
case("cloud: NaN points", lambda: viz.cloud(axes(), nan_points(), viz.SOURCE), refused(ValueError, "points", "NaN"))
case(
    "cloud: all NaN",
    lambda: viz.cloud(axes(), torch.full((4, 2), NAN), viz.SOURCE),
    refused(ValueError, "points", "NaN"),
)
case("cloud: numpy points", lambda: viz.cloud(axes(), X.numpy(), viz.SOURCE), accepted(figure_made))
case("cloud: float64 points", lambda: viz.cloud(axes(), X.double(), viz.SOURCE), accepted(figure_made))
case("cloud: a list", lambda: viz.cloud(axes(), [[0.0, 1.0], [1.0, 0.5]], viz.SOURCE), accepted(figure_made))
case(
    "labelled_cloud: labels of another length",
    lambda: viz.labelled_cloud(axes(), X, torch.zeros(5, dtype=torch.long)),
    refused(ValueError, "labels"),
)
case(
    "labelled_cloud: fractional labels",
    lambda: viz.labelled_cloud(axes(), X, torch.rand(16)),
    refused(ValueError, "labels"),
)
case("labelled_clouds: none", lambda: viz.labelled_clouds({}, "nothing"), refused(ValueError, "clouds"))
case(
    "source_and_target: empty source",
    lambda: viz.source_and_target(torch.empty(0, 2), Y),
    refused(ValueError, "source"),
)
case(
    "source_and_target: NaN target",
    lambda: viz.source_and_target(X, nan_points()),
    refused(ValueError, "target", "NaN"),
)
case("trajectories: a 2D trajectory", lambda: viz.trajectories(axes(), X), refused(ValueError, "trajectory"))
case(
    "trajectories: NaN",
    lambda: viz.trajectories(axes(), torch.full((3, 4, 2), NAN)),
    refused(ValueError, "trajectory", "NaN"),
)
case("pairing_lines: dims differ", lambda: viz.pairing_lines(axes(), X, torch.randn(16, 3)), refused(ValueError, "x1"))
case("pairing_lines: 1D x0", lambda: viz.pairing_lines(axes(), torch.randn(16), Y), refused(ValueError, "x0"))
case(
    "vector_field: velocity of the wrong shape",
    lambda: viz.vector_field(axes(), lambda x, t: x[:, :1]),
    refused(ValueError, "velocity"),
)
for bad in [0, -1]:
    case(
        f"vector_field: lim={bad}", lambda bad=bad: viz.vector_field(axes(), swirl, lim=bad), refused(ValueError, "lim")
    )
case("vector_field: grid=1", lambda: viz.vector_field(axes(), swirl, grid=1), refused(ValueError, "grid"))
case("vector_field: density=0", lambda: viz.vector_field(axes(), swirl, density=0), refused(ValueError, "density"))
case("vector_field: a 1D model", lambda: viz.vector_field(axes(), net(dim=1)), refused(ValueError, "dim"))
case("walk: 1D positions", lambda: viz.walk(axes(), torch.randn(4), torch.rand(4)), refused(ValueError, "positions"))
case(
    "walk: times of another length",
    lambda: viz.walk(axes(), torch.randn(4, 2), torch.rand(3)),
    refused(ValueError, "times"),
)
case(
    "paths_1d: lengths differ",
    lambda: viz.paths_1d(axes(), torch.rand(5), torch.randn(4, 3)),
    refused(ValueError, "paths"),
)
case(
    "histogram: no samples",
    lambda: viz.histogram(axes(), torch.empty(0), torch.rand(3), torch.rand(3)),
    refused(ValueError, "samples"),
)
case(
    "histogram: NaN samples",
    lambda: viz.histogram(axes(), torch.tensor([NAN, 1.0]), torch.rand(3), torch.rand(3)),
    refused(ValueError, "samples", "NaN"),
)
case("tx_heatmap: 1D values", lambda: viz.tx_heatmap(axes(), torch.rand(10), (-3, 3)), refused(ValueError, "values"))
case(
    "tx_heatmap: x_range reversed",
    lambda: viz.tx_heatmap(axes(), torch.rand(4, 10), (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "velocity_heatmap: x_range reversed",
    lambda: viz.velocity_heatmap(axes(), MIXTURE.velocity, (3, -3)),
    refused(ValueError, "x_range"),
)
case(
    "with_side_densities: x_range reversed",
    lambda: viz.with_side_densities((3, -3), MIXTURE.pdf, MIXTURE.pdf),
    refused(ValueError, "x_range"),
)
case("loss_curve: window=0", lambda: viz.loss_curve(axes(), [1.0, 0.5], window=0), refused(ValueError, "window"))
case("loss_curve: a short run", lambda: viz.loss_curve(axes(), [1.0, 0.5]), accepted(figure_made))
case(
    "four_panels: empty generated",
    lambda: viz.four_panels(X, torch.empty(0, 2), Y, trajectory(n=16).trajectory),
    refused(ValueError, "generated"),
)
case("panel_grid: count=0", lambda: viz.panel_grid(0), refused(ValueError, "count"))
case("panel_grid: columns=0", lambda: viz.panel_grid(3, columns=0), refused(ValueError, "columns"))
case("panel_grid: numpy count", lambda: viz.panel_grid(np.int64(3))[1], accepted(lambda a: len(a) == 3))
case("animate_clouds: none", lambda: viz.animate_clouds([], torch.rand(3)), refused(ValueError, "trajectories"))
case(
    "animate_clouds: times of another length",
    lambda: viz.animate_clouds(trajectory().trajectory, torch.rand(3)),
    refused(ValueError, "times"),
)
case(
    "animate_clouds: two clocks for three clouds",
    lambda: viz.animate_clouds([trajectory().trajectory] * 3, [trajectory().times] * 2),
    refused(ValueError, "one per trajectory"),
)
case(
    "animate_clouds: a clock per cloud, one falling",
    lambda: viz.animate_clouds([trajectory().trajectory] * 2, [trajectory().times, 1 - trajectory().times]),
    accepted(lambda html: "<video" in html.data),
)
case(
    "animate_clouds: a 2D trajectory", lambda: viz.animate_clouds(X, torch.rand(16)), refused(ValueError, "trajectory")
)
case(
    "animate_clouds: titles of another count",
    lambda: viz.animate_clouds(trajectory().trajectory, trajectory().times, titles=["a", "b"]),
    refused(ValueError, "titles"),
)
case(
    "animate_1d_path: path and times differ",
    lambda: viz.animate_1d_path(MIXTURE.velocity, torch.rand(5), torch.rand(4)),
    refused(ValueError, "path"),
)
case(
    "curve_ride: a solution without its trajectory",
    lambda: viz.curve_ride(
        axes(), fmlib.integrate(parabola.velocity, torch.tensor([parabola.START]), 4), parabola.height
    ),
    refused(ValueError, "trajectory"),
)
case("curve_rides: none", lambda: viz.curve_rides({}, parabola.height, "nothing"), refused(ValueError, "rides"))
case("warp_grid: s=2", lambda: viz.warp_grid(axes(), 2, 10), refused(ValueError, "s"))
case("warp_grid: steps=0", lambda: viz.warp_grid(axes(), 0.5, 0), refused(ValueError, "steps"))
case("budget_axis: a zero budget", lambda: viz.budget_axis(axes(), [0, 10]), refused(ValueError, "budgets"))
case(
    "animate_fields: titles of another count",
    lambda: viz.animate_fields([swirl, swirl], ["a"]),
    refused(ValueError, "titles"),
)
case("animate_fields: no fields", lambda: viz.animate_fields([], []), refused(ValueError, "velocities"))
case("animate_fields: frames=0", lambda: viz.animate_fields([swirl], ["a"], frames=0), refused(ValueError, "frames"))
case("time_colour: t=2", lambda: viz.time_colour(2.0), refused(ValueError, "t"))


@pytest.mark.parametrize("call, expect", case.params)
def test_bad_input_gets_a_clear_answer(call, expect, probe):
    probe(call, expect)


def test_torus_paths_break_where_a_path_crosses_the_seam():
    # One path from angle 3.0 to -3.0 across the seam (two pieces), one that stays inside (one piece).
    across = torch.tensor([[3.0, 0.0], [3.1, 0.0], [-3.1, 0.0], [-3.0, 0.0]])
    inside = torch.tensor([[0.0, 0.0], [0.1, 0.1], [0.2, 0.2], [0.3, 0.3]])
    fig, ax = plt.subplots()
    viz.torus_square(ax)
    viz.torus_paths(ax, torch.stack([across, inside], dim=1), count=2)
    pieces = [line.get_xydata() for line in ax.get_lines()]
    assert len(pieces) == 3
    assert all(np.abs(np.diff(p, axis=0)).max() < np.pi for p in pieces)  # no piece jumps across the square
    assert ax.get_xlabel() and ax.get_ylabel()


def test_sphere_points_draw_the_far_side_fainter():
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    viz.sphere_axes(ax)
    facing = viz.curved._facing(ax, np.eye(3))
    near, far = torch.tensor([facing.tolist()]), -torch.tensor([facing.tolist()])
    near, far = near / near.norm(), far / far.norm()
    viz.sphere_points(ax, torch.cat([near, far]).float(), viz.MODEL)
    back, front = ax.collections[-2:]
    assert len(back.get_offsets()) == 1 and len(front.get_offsets()) == 1
    assert back.get_alpha() < front.get_alpha()
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        viz.sphere_points(ax, torch.zeros(4, 2), viz.MODEL)


def test_the_doughnut_puts_angles_on_its_surface_and_animate_sphere_makes_a_video():
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    viz.doughnut(ax, torch.tensor([[0.0, 0.0], [np.pi / 2, np.pi / 2]], dtype=torch.float64), viz.MODEL)
    points = np.concatenate([np.asarray(c._offsets3d).T for c in ax.collections[1:] if len(c._offsets3d[0])])
    big, small = viz.curved.DOUGHNUT_RADII
    expected = np.array([[big + small, 0, 0], [0, big, small]])
    assert np.allclose(np.sort(points, axis=0), np.sort(expected, axis=0), atol=1e-6)  # float32 angles
    path = torch.nn.functional.normalize(torch.randn(3, 5, 3), dim=2)
    html = viz.animate_sphere([path], torch.linspace(0, 1, 3), ["on the sphere"]).data
    assert "<video" in html or "<img" in html
