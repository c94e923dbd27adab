

class Ensemble(nn.Module):
    """Members see the same input; their logits are averaged."""

    def __init__(self, members):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x):
        return sum(m(x) for m in self.members) / len(self.members)
