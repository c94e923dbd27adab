

def vgg(channels, stages, batch_norm, pool, hidden, dropout, classes):
    """VGG in torchvision's layout: features, avgpool, flatten, classifier."""
    layers, c = [], channels
    for stage in stages:
        for w in stage:
            layers.append(nn.Conv2d(c, w, 3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(w))
            layers.append(nn.ReLU())
            c = w
        layers.append(nn.MaxPool2d(2, 2))
    classifier = nn.Sequential(
        nn.Linear(c * pool * pool, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
        nn.Linear(hidden, classes),
    )
    return nn.Sequential(OrderedDict(
        features=nn.Sequential(*layers), avgpool=nn.AdaptiveAvgPool2d(pool),
        flatten=nn.Flatten(), classifier=classifier,
    ))
