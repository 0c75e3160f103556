"""Xero's ``where`` filter, parsed by hand into a predicate over JSON records (never ``eval``).

Grammar (Xero's documented forms)::

    expr     := and ( ("OR" | "||") and )*
    and      := atom ( ("AND" | "&&") atom )*
    atom     := "(" expr ")" | operand [ op operand ]
    op       := "==" | "!=" | "<" | ">" | "<=" | ">="
    operand  := field [ "." method "(" [literal] ")" ]* | literal
    field    := Name ( "." Name )*                 e.g. Contact.ContactID
    literal  := "string" | number | true | false | null | DateTime(y,m,d[,h,mi,s]) | Guid("...")
    method   := Contains | StartsWith | EndsWith   (one string argument, give a boolean)
              | ToLower | ToUpper                  (no argument, give a string)

Fields are checked against the fields the collection's records carry; anything else —
an unknown field, a method or function not listed, a stray character — raises
:class:`WhereError` naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Dict, List, Tuple

from .errors import BadRequest

Record = Dict[str, Any]
Predicate = Callable[[Record], bool]
Getter = Callable[[Record], Any]

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op>==|!=|<=|>=|<|>|&&|\|\|)
      | (?P<punct>[().,])
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BOOL_METHODS = {"contains": "Contains", "startswith": "StartsWith", "endswith": "EndsWith"}
_STR_METHODS = {"tolower": "ToLower", "toupper": "ToUpper"}


MAX_NESTING = 20


class WhereError(BadRequest):
    """A ``where`` clause the sandbox refuses; the message names the offending part."""


def _cut(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def ms_to_datetime(value: str) -> dt.datetime | None:
    match = _DATE.match(value)
    if not match:
        return None
    return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(match.group(1)))


class FieldKinds:
    """What each field path of a collection holds: "str", "num", "bool", "date", "guid", "object", "list"."""

    def __init__(self, records: List[Record]) -> None:
        self.kinds: Dict[Tuple[str, ...], str] = {}
        for record in records:
            self._scan(record, ())

    def _scan(self, record: Record, prefix: Tuple[str, ...]) -> None:
        for key, value in record.items():
            path = prefix + (key,)
            kind = _kind_of(value)
            if kind is None:
                continue
            known = self.kinds.get(path)
            if known is None or known == "str" and kind in ("date", "guid"):
                self.kinds[path] = kind
            if kind == "object":
                self._scan(value, path)

    def resolve(self, names: List[str]) -> Tuple[Tuple[str, ...], str]:
        """The canonical path of ``names`` (matched case-insensitively, as Xero does) and its kind."""
        path: Tuple[str, ...] = ()
        for name in names:
            candidates = [p for p in self.kinds if len(p) == len(path) + 1 and p[:-1] == path]
            match = next((p for p in candidates if p[-1].lower() == name.lower()), None)
            if match is None:
                raise WhereError(f"where: unknown field {'.'.join(names)!r}")
            path = match
        return path, self.kinds[path]


def _kind_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "num"
    if isinstance(value, str):
        if _DATE.match(value):
            return "date"
        if _GUID.match(value):
            return "guid"
        return "str"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return None


def _getter(path: Tuple[str, ...], kind: str) -> Getter:
    def get(record: Record) -> Any:
        value: Any = record
        for key in path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        if value is None:
            return None
        if kind == "date":
            return ms_to_datetime(value) if isinstance(value, str) else None
        if kind == "guid":
            return value.lower() if isinstance(value, str) else None
        return value

    return get


class _Parser:
    def __init__(self, text: str, fields: FieldKinds) -> None:
        self.text = text
        self.fields = fields
        self.tokens: List[Tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if not match or match.end() == position:
                raise WhereError(f"where: unexpected {_cut(text[position:].strip())!r} at character {position + 1}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0
        self.depth = 0

    def peek(self) -> Tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self) -> Tuple[str, str]:
        token = self.peek()
        self.index += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if text != value:
            raise WhereError(f"where: expected {value!r} but found {text or 'the end'!r}")

    def parse(self) -> Predicate:
        if not self.tokens:
            raise WhereError("where: the clause is empty")
        predicate = self.expr()
        if self.peek()[0] != "end":
            raise WhereError(f"where: unexpected {self.peek()[1]!r} after a complete condition")
        return predicate

    def expr(self) -> Predicate:
        parts = [self.conj()]
        while self.peek()[1] in ("||",) or (self.peek()[0] == "name" and self.peek()[1].upper() == "OR"):
            self.take()
            parts.append(self.conj())
        if len(parts) == 1:
            return parts[0]
        return lambda record: any(part(record) for part in parts)

    def conj(self) -> Predicate:
        parts = [self.atom()]
        while self.peek()[1] == "&&" or (self.peek()[0] == "name" and self.peek()[1].upper() == "AND"):
            self.take()
            parts.append(self.atom())
        if len(parts) == 1:
            return parts[0]
        return lambda record: all(part(record) for part in parts)

    def atom(self) -> Predicate:
        if self.peek()[1] == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise WhereError(f"where: parentheses nested deeper than {MAX_NESTING}")
            inner = self.expr()
            self.expect(")")
            self.depth -= 1
            return inner
        left = self.operand()
        kind, text = self.peek()
        if kind == "op" and text in ("==", "!=", "<", ">", "<=", ">="):
            self.take()
            right = self.operand()
            return _compare(left, text, right)
        if left[0] == "bool":
            getter = left[1]
            return lambda record: getter(record) is True
        raise WhereError(f"where: expected a comparison after {left[2]!r}")

    def operand(self) -> Tuple[str, Getter, str]:
        """(kind, getter, description); a literal's getter ignores the record."""
        kind, text = self.take()
        if kind == "string":
            value = _unescape(text)
            return ("literal-str", lambda record: value, text)
        if kind == "number":
            number = float(text)
            return ("literal-num", lambda record: number, text)
        if kind != "name":
            raise WhereError(f"where: expected a field or a value but found {text or 'the end'!r}")
        upper = text.upper()
        if upper in ("TRUE", "FALSE"):
            flag = upper == "TRUE"
            return ("literal-bool", lambda record: flag, text)
        if upper == "NULL":
            return ("literal-null", lambda record: None, text)
        if text.lower() == "datetime" and self.peek()[1] == "(":
            return self.datetime_literal()
        if text.lower() == "guid" and self.peek()[1] == "(":
            self.take()
            kind, raw = self.take()
            value = _unescape(raw) if kind == "string" else ""
            if not _GUID.match(value):
                raise WhereError(f"where: Guid({_cut(raw)}) needs a quoted GUID")
            self.expect(")")
            lowered = value.lower()
            return ("literal-guid", lambda record: lowered, f"Guid({raw})")
        if self.peek()[1] == "(":
            raise WhereError(f'where: unsupported function {text!r}; supported: DateTime(y,m,d), Guid("...")')
        names = [text]
        methods: List[Tuple[str, str | None]] = []
        while self.peek()[1] == ".":
            self.take()
            kind, name = self.take()
            if kind != "name":
                raise WhereError(f"where: expected a name after '.' but found {name or 'the end'!r}")
            if self.peek()[1] == "(":
                self.take()
                argument = None
                if self.peek()[0] == "string":
                    argument = _unescape(self.take()[1])
                self.expect(")")
                methods.append((name, argument))
            elif methods:
                raise WhereError(f"where: unexpected {name!r} after a method call")
            else:
                names.append(name)
        path, field_kind = self.fields.resolve(names)
        getter = _getter(path, field_kind)
        description = ".".join(path)
        for name, argument in methods:
            lowered = name.lower()
            if field_kind not in ("str", "guid"):
                raise WhereError(f"where: {name}() needs a text field; {description} is a {_NAMES[field_kind]}")
            if lowered in _STR_METHODS and argument is None:
                convert = str.lower if lowered == "tolower" else str.upper
                getter = _mapped(getter, convert)
                description += f".{name}()"
            elif lowered in _BOOL_METHODS and argument is not None:
                test = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}[lowered]
                getter = _tested(getter, test, argument)
                field_kind = "bool"
                description += f".{name}({argument!r})"
            else:
                raise WhereError(
                    f"where: unsupported method {name}({'' if argument is None else repr(argument)}) on {description}; "
                    'supported: Contains("x"), StartsWith("x"), EndsWith("x"), ToLower(), ToUpper()'
                )
        if field_kind in ("object", "list"):
            raise WhereError(f"where: {description} is a {_NAMES[field_kind]}; compare one of its fields")
        return (field_kind, getter, description)

    def datetime_literal(self) -> Tuple[str, Getter, str]:
        self.take()
        numbers: List[int] = []
        while True:
            kind, text = self.take()
            if kind != "number" or "." in text:
                raise WhereError(f"where: DateTime() takes whole numbers, not {text or 'the end'!r}")
            numbers.append(int(text))
            kind, text = self.take()
            if text == ")":
                break
            if text != ",":
                raise WhereError(f"where: expected ',' or ')' in DateTime() but found {text or 'the end'!r}")
        if len(numbers) not in (3, 6):
            raise WhereError("where: DateTime() takes (year, month, day) or (year, month, day, hour, minute, second)")
        try:
            y, mo, d, h, mi, s = (numbers + [0, 0, 0])[:6]
            moment = dt.datetime(y, mo, d, h, mi, s)
        except ValueError as error:
            raise WhereError(f"where: DateTime{tuple(numbers)} is not a date: {error}") from None
        return ("literal-date", lambda record: moment, f"DateTime{tuple(numbers)}")


_NAMES = {
    "str": "text field",
    "num": "number",
    "bool": "boolean",
    "date": "date",
    "guid": "GUID",
    "object": "object",
    "list": "list",
}
_LITERAL_FITS = {
    "str": {"literal-str"},
    "guid": {"literal-guid", "literal-str"},
    "num": {"literal-num"},
    "bool": {"literal-bool"},
    "date": {"literal-date"},
}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _mapped(getter: Getter, convert: Callable[[str], str]) -> Getter:
    return lambda record: None if (value := getter(record)) is None else convert(value)


def _tested(getter: Getter, test: Callable[[str, str], bool], argument: str) -> Getter:
    return lambda record: False if (value := getter(record)) is None else bool(test(value, argument))


def _compare(left: Tuple[str, Getter, str], op: str, right: Tuple[str, Getter, str]) -> Predicate:
    if left[0].startswith("literal") and not right[0].startswith("literal"):
        flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        return _compare(right, flipped, left)
    kind, get_field, description = left
    literal_kind, get_literal, literal_text = right
    if kind.startswith("literal"):
        raise WhereError(f"where: {description} {op} {literal_text} compares two values; one side must be a field")
    if not literal_kind.startswith("literal"):
        raise WhereError(f"where: {description} {op} {literal_text}: compare a field with a value, not two fields")
    value = get_literal({})
    if literal_kind == "literal-null":
        if op not in ("==", "!="):
            raise WhereError(f"where: null can only be compared with == or !=, not {op}")
        return (lambda r: get_field(r) is None) if op == "==" else (lambda r: get_field(r) is not None)
    if literal_kind not in _LITERAL_FITS.get(kind, set()):
        raise WhereError(f"where: cannot compare {description} (a {_NAMES[kind]}) with {_cut(literal_text)}")
    if kind == "guid":
        if op not in ("==", "!="):
            raise WhereError(f"where: a GUID field ({description}) can only be compared with == or !=")
        value = str(value).lower()
    if kind == "bool" and op not in ("==", "!="):
        raise WhereError(f"where: a boolean field ({description}) can only be compared with == or !=")
    test = _OPERATORS[op]

    def predicate(record: Record) -> bool:
        current = get_field(record)
        if current is None:
            return op == "!="
        return bool(test(current, value))

    return predicate


_OPERATORS: Dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def compile_where(text: str, fields: FieldKinds) -> Predicate:
    """A predicate for Xero's ``where`` clause ``text``; raises :class:`WhereError` naming what it refuses."""
    if len(text) > 2000:
        raise WhereError("where: the clause is longer than 2000 characters")
    return _Parser(text, fields).parse()
