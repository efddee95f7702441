"""Generated Chinese names and fake identifiers for demo people and places.

All values are synthetic: place names are combinations of common toponym syllables,
person names common surnames + given characters, ID numbers 18 characters with a valid
GB 11643 check digit (so validators accept them) but random serials, phone numbers 11
digits with real mobile prefixes. Nothing here identifies a real person.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

_FIRST = list("青白石龙黄高东西南北金银马桃柳梅竹松杨新大小上下长清凤鹤云湘油塘太安")
_SECOND = list("山沙门潭泥亭江溪坪桥田岭洞湖冲坳源口市铺塘湾洲坝")
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
                "肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红文志兰玉春梅海波辉鹏飞云福德荣")
PLACE_WORDS = np.array([a + b for a in _FIRST for b in _SECOND], dtype=object)
_MOBILE = np.array(["130", "131", "132", "135", "136", "137", "138", "139", "150", "151",
                    "152", "155", "157", "158", "159", "173", "177", "180", "182", "186",
                    "187", "188", "189", "191", "199"], dtype=object)
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"), dtype=object)


def township_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct township names (镇 mostly, some 乡), unique within one county."""
    words = rng.choice(PLACE_WORDS, size=n, replace=False)
    suffix = np.where(rng.random(n) < 0.7, "镇", "乡")
    return [w + s for w, s in zip(words, suffix)]


def village_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct village names (王家村 / 石门村 / 龙潭社区), unique within a township."""
    pool = np.concatenate([np.array([s + "家" for s in SURNAMES], dtype=object), PLACE_WORDS])
    words = rng.choice(pool, size=n, replace=False)
    suffix = np.where(rng.random(n) < 0.06, "社区", "村")
    return [w + s for w, s in zip(words, suffix)]


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """`n` person names: surname + one or two given characters."""
    sur = rng.choice(np.array(SURNAMES, dtype=object), size=n)
    g1 = rng.choice(np.array(_GIVEN, dtype=object), size=n)
    g2 = rng.choice(np.array(_GIVEN + [""] * 20, dtype=object), size=n)
    return sur + g1 + g2


def id_numbers(rng: np.random.Generator, county6: np.ndarray, birth_year: np.ndarray) -> np.ndarray:
    """Fake 18-character resident ID numbers with a valid check character."""
    n = len(county6)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    serial = rng.integers(0, 1000, n)
    body = np.array([f"{c}{y:04d}{m:02d}{d:02d}{s:03d}" for c, y, m, d, s
                     in zip(county6, birth_year, month, day, serial)], dtype=object)
    digits = np.frombuffer("".join(body).encode(), dtype=np.uint8).reshape(n, 17) - 48
    check = _ID_CHECK[(digits.astype(int) @ _ID_WEIGHTS) % 11]
    return body + check


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Fake 11-digit mobile numbers."""
    rest = rng.integers(0, 10**8, n)
    return rng.choice(_MOBILE, size=n) + np.char.zfill(rest.astype(str), 8).astype(object)


def keys(rng: np.random.Generator, n: int, prefix: str) -> np.ndarray:
    """`n` distinct pseudonymous keys: prefix + 15 hex characters (16 in all)."""
    raw = np.unique(rng.integers(0, 2**60, int(n * 1.01) + 16))
    raw = rng.permutation(raw)[:n]
    return np.array([f"{prefix}{v:015x}" for v in raw], dtype=object)


def numbered(prefix: str, ids: pd.Series, width: int) -> np.ndarray:
    """Record numbers from ids: prefix + the id zero-padded ('FF000000042')."""
    return np.array([f"{prefix}{i:0{width}d}" for i in ids.tolist()], dtype=object)
