from pathlib import Path

p = Path("x")
p.exists()
