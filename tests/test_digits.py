"""fmlib.digits: scikit-learn's 8 x 8 digits as points, a cached conditional model, the numbers that judge samples."""

import dataclasses
import inspect
import math

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import fmlib  # noqa: E402
from fmlib import cache, digits, viz  # noqa: E402

# The number of digits of each class in scikit-learn's set, 0 to 9.
COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def data():
    return digits.load()


def test_scale_maps_grey_levels_to_minus_one_to_one_and_back():
    pixels = torch.tensor([[0.0, 4.0, 8.0, 16.0]])
    assert digits.scale(pixels).tolist() == [[-1.0, -0.5, 0.0, 1.0]]
    assert torch.equal(digits.unscale(digits.scale(pixels)), pixels)
    # A sample may overshoot the paper or the ink: unscaling clips it to the grey levels.
    assert digits.unscale(torch.tensor([-1.5, 1.25])).tolist() == [0.0, 16.0]


def test_load_gives_every_digit_scaled_with_its_label(data):
    points, labels = data
    assert points.shape == (1797, 64) and points.dtype == torch.float32
    assert points.min() == -1 and points.max() == 1
    assert torch.bincount(labels).tolist() == COUNTS


def test_split_holds_out_the_same_share_of_every_class(data):
    (train, train_labels), (held, held_labels) = digits.split(*data, held_out=0.25, seed=0)
    assert torch.bincount(held_labels).tolist() == [round(0.25 * n) for n in COUNTS]
    assert torch.bincount(train_labels).tolist() == [n - round(0.25 * n) for n in COUNTS]
    # Every digit lands in exactly one part (the rows are distinct points but for a few duplicates,
    # so compare the parts' sizes and that no held-out row is missing from the full set).
    assert len(train) + len(held) == 1797
    assert torch.cdist(held, data[0]).min(dim=1).values.max() == 0


def test_split_is_fixed_by_its_seed_and_changes_with_it():
    points = torch.arange(40.0).reshape(20, 2)
    labels = torch.arange(20) % 2
    first = digits.split(points, labels, held_out=0.5, seed=1)[1][0]
    assert torch.equal(first, digits.split(points, labels, held_out=0.5, seed=1)[1][0])
    assert not torch.equal(first, digits.split(points, labels, held_out=0.5, seed=2)[1][0])
    (train, _), (held, held_labels) = digits.split(points, labels, held_out=0.0)
    assert len(train) == 20 and len(held) == 0
    # The parts keep the original order.
    (train, _), _ = digits.split(points, labels, held_out=0.3, seed=4)
    assert torch.equal(train[:, 0], train[:, 0].sort().values)


def test_split_refuses_bad_input():
    with pytest.raises(ValueError, match="between 0 and 1"):
        digits.split(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), held_out=1.5)
    with pytest.raises(ValueError, match="one whole-number class per point"):
        digits.split(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="one whole-number class per point"):
        digits.split(torch.zeros(4, 2), torch.zeros(4))


def test_labelled_pairs_draw_noise_with_training_points_and_their_labels():
    points = torch.tensor([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    labels = torch.tensor([0, 1, 2])
    pairs = digits.labelled_pairs(points, labels)
    assert pairs.classes == 3
    torch.manual_seed(0)
    x0, x1, y = pairs(500)
    assert x0.shape == x1.shape == (500, 2) and y.shape == (500,)
    assert torch.equal(x1[:, 0], (y + 1).float())  # each point comes with its own label
    assert abs(x0.mean().item()) < 0.1 and abs(x0.std().item() - 1) < 0.1
    assert set(y.tolist()) == {0, 1, 2}


def test_diversity_is_the_mean_distance_between_two_different_points():
    # Distances 5, 3 and 4 between the three pairs; a point's zero distance to itself does not count.
    points = torch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 4.0]])
    assert digits.diversity(points) == pytest.approx(4.0)
    labels = torch.tensor([0, 0, 2])
    per_class = digits.class_diversity(points, labels, classes=3)
    assert per_class[0].item() == pytest.approx(5.0)
    assert math.isnan(per_class[1]) and math.isnan(per_class[2])  # no point, and only one
    with pytest.raises(ValueError, match="at least two points"):
        digits.diversity(points[:1])


def test_nearest_distances_are_to_the_closest_reference_point():
    points = torch.tensor([[0.0, 0.0], [10.0, 0.0]])
    reference = torch.tensor([[3.0, 4.0], [10.0, 1.0], [-6.0, 8.0]])
    assert digits.nearest_distances(points, reference).tolist() == [5.0, 1.0]
    assert digits.nearest_distances(reference, reference).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="same dimension"):
        digits.nearest_distances(points, torch.zeros(3, 3))


class Always:
    """A stand-in classifier that reads every point as one class."""

    def __init__(self, label):
        self.label = label

    def predict(self, points):
        return [self.label] * len(points)


def test_class_accuracy_is_the_share_read_as_the_class_asked_for():
    points = torch.zeros(6, 4)
    asked = torch.tensor([0, 0, 1, 1, 1, 3])
    assert digits.class_accuracy(Always(1), points, asked, classes=4)[:2].tolist() == [0.0, 1.0]
    accuracy = digits.class_accuracy(Always(3), points, asked, classes=4)
    assert accuracy[[0, 1, 3]].tolist() == [0.0, 0.0, 1.0] and math.isnan(accuracy[2])
    with pytest.raises(ValueError, match="classes from 0 to 2"):
        digits.class_accuracy(Always(0), points, asked, classes=3)


def test_the_classifier_of_real_digits_reads_held_out_digits(data):
    (train, train_labels), (held, held_labels) = digits.split(*data)
    classifier = digits.fit_classifier(train, train_labels)
    assert digits.class_accuracy(classifier, held, held_labels).mean() > 0.95
    # It knows digits, not noise: random pixels are not read as one class each time.
    noise = torch.rand(200, 64) * 2 - 1
    assert torch.bincount(digits.predict(classifier, noise), minlength=10).max() < 200


TINY = dict(steps=3, batch_size=16, width=8, depth=2, progress=False)


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FMLIB_CACHE", str(tmp_path))
    return tmp_path


def test_the_digits_model_is_cached_and_matches_a_direct_call(tmp_cache, monkeypatch):
    cached = digits.trained_model(fmlib.recipes.DIGITS, seed=3, **TINY)
    assert (cached.dim, cached.classes) == (64, 10) and not cached.training
    assert len(list(tmp_cache.glob("noise-to-digits-*.pt"))) == 1
    device = next(cached.parameters()).device  # the default device: a GPU where there is one
    torch.manual_seed(3)
    direct = fmlib.VelocityNet(64, 8, 2, classes=10).to(device)
    settings = dataclasses.replace(fmlib.recipes.DIGITS, steps=3, batch_size=16).train_settings()
    fmlib.train(direct, pairs=digits.labelled_pairs(*digits.training_set()), seed=3, progress=False, **settings)
    x = torch.randn(5, 64, device=device)
    assert torch.allclose(cached(x, 0.3, 4), direct(x, 0.3, 4))
    monkeypatch.setattr(cache.training, "train", lambda *a, **k: pytest.fail("trained again"))
    again = digits.trained_model(fmlib.recipes.DIGITS, seed=3, **TINY)
    assert all(torch.equal(a, b) for a, b in zip(cached.parameters(), again.parameters()))


def test_the_digits_model_trains_on_the_split_it_is_given_and_keys_the_cache_by_it(data, tmp_cache, monkeypatch):
    seen = []
    real = digits.labelled_pairs
    monkeypatch.setattr(digits, "labelled_pairs", lambda points, labels: seen.append(points) or real(points, labels))
    monkeypatch.setattr(cache.training, "train", lambda *a, **k: None)  # the split is what matters, not the fit
    for held_out, split_seed in [(0.25, 0), (0.4, 5), (0.25, 1)]:
        digits.trained_model(fmlib.recipes.DIGITS, held_out=held_out, split_seed=split_seed, **TINY)
        (train, _), _ = digits.split(*data, held_out=held_out, seed=split_seed)
        assert torch.equal(seen[-1], train), (held_out, split_seed)  # no held-out digit is trained on
    assert len(list(tmp_cache.glob("noise-to-digits-*.pt"))) == 3  # one entry per split
    # The defaults are the chapter's split: the first entry again, not a new one.
    digits.trained_model(fmlib.recipes.DIGITS, **TINY)
    assert torch.equal(seen[-1], seen[0]) and len(list(tmp_cache.glob("*.pt"))) == 3
    with pytest.raises(ValueError, match="between 0 and 1"):
        digits.trained_model(fmlib.recipes.DIGITS, held_out=1.5, **TINY)
    with pytest.raises(TypeError, match="split_seed"):
        digits.trained_model(fmlib.recipes.DIGITS, split_seed=None, **TINY)


def test_other_settings_and_an_edited_digits_module_are_other_entries(tmp_cache, monkeypatch):
    digits.trained_model(fmlib.recipes.DIGITS, **TINY)
    digits.trained_model(fmlib.recipes.DIGITS, label_dropout=0.5, **TINY)
    assert len(list(tmp_cache.glob("*.pt"))) == 2
    real = inspect.getsource
    monkeypatch.setattr(inspect, "getsource", lambda m: real(m) + ("\n# edited" if m is digits else ""))
    digits.trained_model(fmlib.recipes.DIGITS, **TINY)
    assert len(list(tmp_cache.glob("*.pt"))) == 3
    with pytest.raises(TypeError, match="no setting"):
        digits.trained_model(fmlib.recipes.DIGITS, colour="red")


def test_digit_mosaic_tiles_images_with_gaps():
    images = torch.tensor([[-1.0, 0.0, 0.5, 1.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 2.0]])
    mosaic = viz.digit_mosaic(images, columns=2)
    assert mosaic.shape == (5, 5)  # two rows and two columns of 2 x 2 tiles, one pixel apart
    assert mosaic[:2, :2].tolist() == [[-1.0, 0.0], [0.5, 1.0]]
    assert mosaic[:2, 3:].tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert mosaic[3:, :2].tolist() == [[0.0, 0.0], [0.0, 1.0]]  # 2 clipped to full ink
    assert all(math.isnan(v) for v in mosaic[2].tolist() + mosaic[:, 2].tolist() + mosaic[3:, 3:].ravel().tolist())
    with pytest.raises(ValueError, match="square images"):
        viz.digit_mosaic(torch.zeros(3, 5), columns=2)


def test_digit_grids_label_the_rows_with_their_class():
    images = torch.zeros(30, 64)
    fig = viz.digit_grids({"w = 1": (images, 3), "real": (images[:12], 4)})
    first, second = fig.axes
    assert first.get_title() == "w = 1" and [t.get_text() for t in first.get_yticklabels()] == list("0123456789")
    assert second.get_yticklabels() == [] or not [t.get_text() for t in second.get_yticklabels()]
    plt.close(fig)


def test_animate_digits_makes_a_named_video():
    trajectory = torch.linspace(-1, 1, 4)[:, None, None].expand(4, 10, 64)
    html = viz.animate_digits(trajectory, torch.linspace(0, 1, 4), columns=5, title="noise to digits, ").data
    assert "<video" in html or "<img" in html
    assert "noise to digits, t = 0.00 to 1.00" in html
    with pytest.raises(ValueError, match="one time per step"):
        viz.animate_digits(trajectory, torch.linspace(0, 1, 3))


def test_digit_grid_draws_masked_pixels_in_their_own_colour():
    images = torch.zeros(2, 64)
    masked = torch.zeros(2, 64, dtype=torch.bool)
    masked[1, :5] = True
    fig, ax = plt.subplots()
    viz.digit_grid(ax, images, columns=2, masked=masked)
    overlay = ax.images[1].get_array()
    assert (~overlay.mask).sum() == 5  # the five masked pixels, and nothing else, are coloured
    with pytest.raises(ValueError, match="booleans shaped like images"):
        viz.digit_grid(ax, images, columns=2, masked=masked[:1])
    plt.close(fig)
