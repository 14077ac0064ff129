"""Text normalisation shared by the model and the duplicate finder."""

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_DIGITS = re.compile(r"\d+")

# Operator boilerplate and words every complaint contains; they say nothing about which problem it is.
_FILLER = re.compile(
    r"来电人|来电|市民|群众|反映|反应|投诉|举报|诉求|要求|希望|请求|请|尽快|处理|解决|相关部门|有关部门|"
    r"物业公司|物业|小区|业主|我们|你们|他们|我家|现在|目前|一直|已经|问题|情况|这个|那个|的|了|吗|呢|啊|吧"
)


def normalize(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, one space between runs; keeps the words."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _SPACE.sub(" ", text).strip()


def compact(text: str) -> str:
    """For similarity: no punctuation, digits folded to 0, filler words dropped."""
    text = normalize(text)
    text = _DIGITS.sub("0", text)
    text = _FILLER.sub(" ", text)
    return _PUNCT.sub(" ", text).strip()
