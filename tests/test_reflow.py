import torch

import fmlib
from fmlib.couplings import teacher_pairs
from fmlib.metrics import straightness


def test_reflow_pool_holds_teacher_endpoints_and_student_is_straighter():
    torch.manual_seed(0)
    teacher = fmlib.VelocityNet(dim=2, width=32, depth=2)
    fmlib.train(teacher, "gaussian", "two_gaussians", steps=300, batch_size=256, seed=0, progress=False)
    x0, x1 = teacher_pairs(teacher, "gaussian", pool=64, seed=1)
    assert torch.allclose(x1, fmlib.integrate(teacher, x0, steps=8, method="rk4", warp=0.5).x)
    student, losses = fmlib.reflow(teacher, "gaussian", pool=4096, steps=300, batch_size=256, progress=False)
    assert len(losses) == 300 and student is not teacher
    probe = fmlib.sample("gaussian", 500, seed=2)
    assert straightness(student, probe) < 0.3 * straightness(teacher, probe)
