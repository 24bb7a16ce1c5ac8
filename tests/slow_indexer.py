"""Run the litsok CLI with a slow fake embedder (`test-slow`), for fault tests
that kill or race a real indexing process."""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import HashEmbedder  # noqa: E402

from litsok import embed  # noqa: E402
from litsok.cli import app  # noqa: E402


class SlowEmbedder(HashEmbedder):
    def embed_passages(self, texts):
        time.sleep(0.4)
        return super().embed_passages(texts)


embed._FACTORIES["test-slow"] = lambda: SlowEmbedder("test-slow", 64)
app()
