"""class VAE: the constructor contract, shapes of encode/decode/forward, sampling in forward,
and a decoder that returns logits."""

import torch
from helpers import X_DIM, build_vae, decode, encode, split_digits, train_vae

from grader.testing import check, expect_close, expect_dict, expect_tensor, expect_tuple, points


@points(2)
def test_vae_encode_decode_forward_shapes(submission, gen, device):
    x_dim = int(torch.randint(10, 70, (1,), generator=gen))
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
    logits = expect_tensor(
        out[0], "model(x)[0] (logits)", shape=(b, x_dim), dtype=torch.float32, finite=True
    )
    for value, name in ((out[1], "mu"), (out[2], "logvar")):
        expect_tensor(
            value, f"model(x) ({name})", shape=(b, z_dim), dtype=torch.float32, finite=True
        )
    expect_close(out[1], mu, "VAE.forward: the mu it returns differs from encode(x)[0]")
    expect_close(out[2], logvar, "VAE.forward: the logvar it returns differs from encode(x)[1]")
    check(logits.numel() > 0, "VAE.forward returned empty logits")


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
    train, test = split_digits(gen)
    model = build_vae(submission, X_DIM, 4, device)
    train_vae(submission, model, train, gen, device, steps=150, batch_size=128, lr=3e-3)
    model.eval()
    mu, _ = encode(model, test[:100].to(device), 4)
    logits = decode(model, mu.to(device), X_DIM)
    always_off = train.mean(0) < 0.01  # pixels on in < 1% of the training digits
    inside = bool(((logits >= 0) & (logits <= 1)).all())
    check(
        not inside,
        "[V-h] after training, every output of decode lies in [0, 1]: decode ends in "
        "a sigmoid, so the loss applies a second one (double sigmoid); decode must "
        "return logits",
    )
    off = float(logits[:, always_off].mean())
    check(
        off < 0,
        f"after 150 training steps the decoder gives pixels that are (almost) never on "
        f"a mean logit of {off:.2f}, expected < 0: decode must return logits with "
        "p(x=1) = sigmoid(logit), and training must lower the negative ELBO",
    )
