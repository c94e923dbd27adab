

class LayerNorm2d(nn.LayerNorm):
    """LayerNorm over the channels of [N, C, H, W]."""

    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps).permute(0, 3, 1, 2)


class Permute(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.dims = dims

    def forward(self, x):
        return x.permute(*self.dims)


class CNBlock(nn.Module):
    def __init__(self, dim, layer_scale, stochastic_depth):
        super().__init__()
        self.block = nn.Sequential(
            nn.Conv2d(dim, dim, 7, padding=3, groups=dim), Permute([0, 2, 3, 1]), nn.LayerNorm(dim, eps=1e-6),
            nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim), Permute([0, 3, 1, 2]))
        self.layer_scale = nn.Parameter(torch.full((dim, 1, 1), float(layer_scale)))
        self.stochastic_depth = stochastic_depth

    def forward(self, x):
        h = self.layer_scale * self.block(x)
        p = self.stochastic_depth
        if self.training and p > 0:
            keep = torch.empty(x.shape[0], 1, 1, 1, device=x.device).bernoulli_(1 - p)
            h = h * keep / (1 - p)
        return h + x


def convnext(channels, dims, depths, stem, stochastic_depth, layer_scale, classes):
    """torchvision's ConvNeXt layout at any widths; `stem` is the patchify stride."""
    layers = [nn.Sequential(nn.Conv2d(channels, dims[0], stem, stem), LayerNorm2d(dims[0], eps=1e-6))]
    total, block = sum(depths), 0
    for i, (dim, depth) in enumerate(zip(dims, depths)):
        stage = []
        for _ in range(depth):
            stage.append(CNBlock(dim, layer_scale, stochastic_depth * block / (max(total, 2) - 1)))
            block += 1
        layers.append(nn.Sequential(*stage))
        if i + 1 < len(dims):
            layers.append(nn.Sequential(LayerNorm2d(dim, eps=1e-6), nn.Conv2d(dim, dims[i + 1], 2, 2)))
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(*layers), avgpool=nn.AdaptiveAvgPool2d(1),
        classifier=nn.Sequential(LayerNorm2d(dims[-1], eps=1e-6), nn.Flatten(1), nn.Linear(dims[-1], classes)),
    ))
