"""A Streamlit session without a browser: the app's own websocket protocol, nothing rendered.

Speaks what the browser speaks to ``/_stcore/stream`` (``streamlit.proto`` BackMsg / ForwardMsg
protobufs over a websocket, the ``websockets`` package Streamlit itself depends on): a rerun
request with the page's name, its query string and the widget states, then the server's messages
until it reports the script finished. Times what a user waits for on the server's side: from the
request until the message carrying a headline card (its HTML holds ``data-k``) arrives, and until
``script_finished``. Used by bench/bench_load.py (ten users measure the server, not ten browsers
sharing its cores) and bench/bench_browser.py's server-side figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: A headline card's HTML (Overview, Region): the figure a user waits for.
CARD = "data-k"
FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
}


@dataclass
class Rerun:
    """One rerun as the server answered it: seconds from the request until the first headline card
    arrived (nan when none came), until the script finished; messages and bytes received; any
    exception text the page showed."""

    card: float
    finished: float
    messages: int
    nbytes: int
    cards: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _widget(element) -> tuple[str, object] | None:
    """(label, the element's widget proto) when ``element`` is a widget, else None."""
    kind = element.WhichOneof("type")
    if kind is None:
        return None
    proto = getattr(element, kind)
    if not hasattr(proto, "id") or not hasattr(proto, "label") or not proto.id:
        return None
    return proto.label, proto


class Session:
    """One user's session on one server: ``await Session.open(url, page, query)``, then
    ``await session.set_widget(label, value)`` (a widget change, as the browser sends it)."""

    def __init__(self, ws, page: str, query: str) -> None:
        self.ws = ws
        self.page = page
        self.query = query
        self.page_hash = ""
        self.states: dict[str, object] = {}  # widget id -> WidgetState the browser would send back
        self.widgets: dict[str, object] = {}  # label -> widget proto (last drawn)
        self.pages: dict[str, str] = {}  # url path -> page script hash (from the navigation message)

    @classmethod
    async def open(cls, base: str, page: str = "", query: str = "", timeout: float = 600.0):
        """Connect to ``base`` (http://host:port) and run ``page`` with ``query`` as a first visit
        does: returns (session, Rerun)."""
        import websockets

        url = base.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        ws = await websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, open_timeout=timeout, ping_interval=None
        )
        session = cls(ws, page, query)
        return session, await session.rerun(timeout=timeout)

    async def rerun(self, changed: dict[str, object] | None = None, timeout: float = 600.0) -> Rerun:
        """Ask for a rerun with every widget state known (``changed``: id -> WidgetState set first)
        and read the server's messages until the script finished."""
        self.states.update(changed or {})
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = "" if self.page_hash else self.page
        state.page_script_hash = self.page_hash
        for ws_state in self.states.values():
            state.widget_states.widgets.append(ws_state)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        return await self._read(t0, timeout)

    async def _read(self, t0: float, timeout: float) -> Rerun:
        import asyncio

        card = float("nan")
        count = nbytes = 0
        cards: list[str] = []
        errors: list[str] = []
        deadline = t0 + timeout
        while True:
            payload = await asyncio.wait_for(self.ws.recv(), max(deadline - time.perf_counter(), 0.01))
            now = time.perf_counter()
            count += 1
            nbytes += len(payload)
            fwd = ForwardMsg()
            fwd.ParseFromString(payload)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":  # the page the app ran: the hash the browser sends back
                self.page_hash = fwd.navigation.page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string  # the app rewrote the address
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "markdown" and CARD in element.markdown.body:
                    cards.append(element.markdown.body)
                    if card != card:  # nan: the first card of this rerun
                        card = now - t0
                elif element.WhichOneof("type") == "exception":
                    errors.append(f"{element.exception.type}: {element.exception.message}")
                else:
                    widget = _widget(element)
                    if widget:
                        self.widgets[widget[0]] = widget[1]
            elif kind == "script_finished" and fwd.script_finished in FINISHED:
                return Rerun(card, now - t0, count, nbytes, cards, errors)

    async def set_select_slider(self, label: str, step: int = 1, timeout: float = 600.0) -> Rerun:
        """Move the select slider labelled ``label`` ``step`` options on (as an arrow key does)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        proto = self.widgets[label]
        sent = self.states.get(proto.id)
        if sent is not None:  # the value this session last sent (the server does not echo it)
            current = sent.string_array_value.data[0]
        else:
            indices = list(proto.value) or list(proto.default)
            current = proto.options[int(indices[0])]
        index = list(proto.options).index(current) + step
        value = proto.options[max(0, min(index, len(proto.options) - 1))]
        state = WidgetState(id=proto.id)
        state.string_array_value.data[:] = [value]
        return await self.rerun({proto.id: state}, timeout)

    async def switch(self, page: str, query: str = "", timeout: float = 600.0) -> Rerun:
        """Go to another page as the sidebar's link does (its script hash, the new query string)."""
        self.page, self.query = page, query
        self.page_hash = self.pages.get(page, "")
        return await self.rerun(timeout=timeout)

    async def close(self) -> None:
        await self.ws.close()
