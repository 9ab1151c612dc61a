"""How far apart two point clouds are: one number that is 0 when they match.

    >>> sliced_wasserstein(generated, target)   # same units as the data
"""
import torch


def sliced_wasserstein(a, b, projections=256, seed=0):
    """Sliced Wasserstein-2 distance between clouds a (n, d) and b (m, d).

    Project both clouds onto `projections` random directions, compare the sorted
    1D projections (quantiles, when n != m), and average the squared gaps:
    SW2^2 = E_direction[ W2^2 of the 1D projections ]. The directions are drawn
    with `seed`, so the same clouds always give the same number.
    """
    a, b = a.detach().float().cpu(), b.detach().float().cpu()
    if a.ndim != 2 or a.shape[1:] != b.shape[1:]:
        raise ValueError(f"expected two clouds of shape (n, d) with the same d, got {tuple(a.shape)} and {tuple(b.shape)}")
    generator = torch.Generator().manual_seed(seed)
    directions = torch.randn(a.shape[1], projections, generator=generator)
    directions /= directions.norm(dim=0, keepdim=True)
    pa, pb = a @ directions, b @ directions
    if len(a) == len(b):
        gaps = pa.sort(dim=0).values - pb.sort(dim=0).values
    else:
        levels = (torch.arange(min(len(a), len(b))) + 0.5) / min(len(a), len(b))
        gaps = torch.quantile(pa, levels, dim=0) - torch.quantile(pb, levels, dim=0)
    return gaps.pow(2).mean().sqrt().item()


def energy_distance(a, b):
    """Energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| between clouds a (n, d) and b (m, d).

    It is zero exactly when the two distributions are equal. Cost: O(n m) memory.
    """
    a, b = a.detach().double().cpu(), b.detach().double().cpu()
    between = torch.cdist(a, b).mean()
    within_a, within_b = torch.cdist(a, a).mean(), torch.cdist(b, b).mean()
    return (2 * between - within_a - within_b).item()
