"""class VAE: the constructor contract, shapes of encode/decode/forward, sampling in forward,
and a decoder that returns logits."""

import torch
from helpers import SHORT, X_DIM, build_vae, decode, encode, short_training_run

from grader.testing import check, expect_close, expect_dict, expect_tensor, expect_tuple, points

RARE_PIXEL_LOGIT = -1.0  # from docs/calibration-vae.md


@points(2)
def test_vae_encode_decode_forward_shapes(submission, gen, device):
    x_dim = X_DIM  # 8x8 digits (a convolutional VAE may rely on the square image)
    z_dim = int(torch.randint(2, 9, (1,), generator=gen))
    b = int(torch.randint(3, 20, (1,), generator=gen))
    model = build_vae(submission, x_dim, z_dim, device)
    state = expect_dict(model.state_dict(), f"VAE(x_dim={x_dim}, z_dim={z_dim}).state_dict()")
    check(
        len(state) > 0,
        "VAE: the model has no parameters (register the layers as attributes of the nn.Module)",
    )
    model.eval()
    x = (torch.rand(b, x_dim, generator=gen) < 0.4).float().to(device)
    mu, logvar = encode(model, x, z_dim)
    decode(model, torch.randn(b, z_dim, generator=gen).to(device), x_dim)
    out = expect_tuple(model(x), "model(x) (forward)", length=3)
    expect_tensor(
        out[0], "model(x)[0] (logits)", shape=(b, x_dim), dtype=torch.float32, finite=True
    )
    for value, name in ((out[1], "mu"), (out[2], "logvar")):
        expect_tensor(
            value, f"model(x) ({name})", shape=(b, z_dim), dtype=torch.float32, finite=True
        )
    expect_close(out[1], mu, "VAE.forward: the mu it returns differs from encode(x)[0]")
    expect_close(out[2], logvar, "VAE.forward: the logvar it returns differs from encode(x)[1]")


def test_vae_forward_samples_z(submission, gen, device):
    z_dim = int(torch.randint(2, 9, (1,), generator=gen))
    model = build_vae(submission, X_DIM, z_dim, device)
    model.train()
    x = (torch.rand(16, X_DIM, generator=gen) < 0.4).float().to(device)
    draws = [expect_tuple(model(x), "model(x) (forward)", length=3)[0] for _ in range(2)]
    for logits in draws:
        expect_tensor(
            logits, "model(x)[0] (logits)", shape=(16, X_DIM), dtype=torch.float32, finite=True
        )
    check(
        not torch.equal(draws[0], draws[1]),
        "VAE.forward: two calls on the same x gave identical logits: in training mode forward "
        "must sample z = reparameterize(mu, logvar), not decode mu",
    )


@points(2)
def test_decode_returns_logits_after_training(submission, gen, device):
    result = short_training_run(submission, gen, device)
    check(
        not result["all_in_unit_interval"],
        "[V-h] after training, every output of decode lies in [0, 1]: decode ends in a sigmoid, "
        "so the loss applies a second one (double sigmoid); decode must return logits",
    )
    off = result["rare_pixel_logit"]
    check(
        off < RARE_PIXEL_LOGIT,
        f"after {SHORT['steps']} training steps the decoder gives pixels that are (almost) never "
        f"on a mean logit of {off:.2f}, expected < {RARE_PIXEL_LOGIT}: decode must return logits "
        "with p(x=1) = sigmoid(logit), and vae_train_step must lower the negative ELBO",
    )
