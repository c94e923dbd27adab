

def dense_conv(cin, cout, k, stride=1):
    return nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, bias=False)


class DenseLayer(nn.Module):
    def __init__(self, cin, growth, bn_size):
        super().__init__()
        self.norm1 = nn.BatchNorm2d(cin)
        self.conv1 = dense_conv(cin, bn_size * growth, 1)
        self.norm2 = nn.BatchNorm2d(bn_size * growth)
        self.conv2 = dense_conv(bn_size * growth, growth, 3)

    def forward(self, x):
        h = self.conv1(F.relu(self.norm1(x)))
        return self.conv2(F.relu(self.norm2(h)))


class DenseBlock(nn.Module):
    def __init__(self, n, cin, growth, bn_size):
        super().__init__()
        for j in range(n):
            self.add_module(f"denselayer{j + 1}", DenseLayer(cin + j * growth, growth, bn_size))

    def forward(self, x):
        features = [x]
        for layer in self.children():
            features.append(layer(torch.cat(features, 1)))
        return torch.cat(features, 1)


class Transition(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm = nn.BatchNorm2d(cin)
        self.conv = dense_conv(cin, cout, 1)

    def forward(self, x):
        return F.avg_pool2d(self.conv(F.relu(self.norm(x))), 2)


class DenseNet(nn.Module):
    """torchvision's DenseNet layout; small_input: 3x3 stride-1 stem, no max pool."""

    def __init__(self, channels, growth_rate, block_config, num_init_features, bn_size, small_input, classes):
        super().__init__()
        k, s = (3, 1) if small_input else (7, 2)
        layers = OrderedDict(conv0=dense_conv(channels, num_init_features, k, s),
                             norm0=nn.BatchNorm2d(num_init_features), relu0=nn.ReLU())
        if not small_input:
            layers["pool0"] = nn.MaxPool2d(3, 2, 1)
        c = num_init_features
        for i, n in enumerate(block_config):
            layers[f"denseblock{i + 1}"] = DenseBlock(n, c, growth_rate, bn_size)
            c += n * growth_rate
            if i + 1 < len(block_config):
                layers[f"transition{i + 1}"] = Transition(c, c // 2)
                c //= 2
        layers["norm5"] = nn.BatchNorm2d(c)
        self.features = nn.Sequential(layers)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        x = F.relu(self.features(x))
        return self.classifier(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))
