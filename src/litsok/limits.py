"""Named limits: every place where the size of an input drives work or memory has
one constant here, and a message that hits a limit names it and its value.
Each area keeps its own block, headed by a comment naming the area."""

# --------------------------------------------------------------------------- index folder (damage checks)

# Bytes read from CURRENT: it holds one generation name (~40 bytes), so anything near this is not litsok's.
MAX_CURRENT_BYTES = 4096
# manifest.json is read whole: ~1-2 KB per corpus file (warnings, page notes), so 64 MB is ~30,000 files.
MAX_MANIFEST_BYTES = 64 * 2**20
# Sentences kept per embedder in the sentence cache (`siter`/`sjekk`): ~300 MB at e5-small's 384 dimensions.
MAX_SENTENCE_CACHE_ROWS = 200_000
