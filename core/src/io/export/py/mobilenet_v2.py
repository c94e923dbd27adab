

def make_divisible(v, divisor=8):
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def conv_bn_relu6(cin, cout, k, stride, groups):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU6())


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, t):
        super().__init__()
        hidden = int(round(cin * t))
        layers = [conv_bn_relu6(cin, hidden, 1, 1, 1)] if t != 1 else []
        layers += [conv_bn_relu6(hidden, hidden, 3, stride, hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.residual else y


def mobilenet_v2(channels, width_mult, dropout, small_input, classes):
    """torchvision's MobileNetV2 layout; small_input: stride-1 stem."""
    setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
    cin, last = make_divisible(32 * width_mult), make_divisible(1280 * max(1.0, width_mult))
    features = [conv_bn_relu6(channels, cin, 3, 1 if small_input else 2, 1)]
    for t, c, n, s in setting:
        out = make_divisible(c * width_mult)
        for i in range(n):
            features.append(InvertedResidual(cin, out, s if i == 0 else 1, t))
            cin = out
    features.append(conv_bn_relu6(cin, last, 1, 1, 1))
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(*features), pool=nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()),
        classifier=nn.Sequential(nn.Dropout(dropout), nn.Linear(last, classes)),
    ))
