"""Talk to Rasa's REST channel the way every client does (POST /webhooks/rest/webhook)."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import aiohttp

from groupinsurance import settings


async def send(
    session: aiohttp.ClientSession, rasa_url: str, sender: str, text: str, lang: Optional[str] = None
) -> List[Dict[str, Any]]:
    payload: Dict[str, Any] = {"sender": sender, "message": text}
    if lang:
        payload["metadata"] = {"lang": lang}
    async with session.post(f"{rasa_url}/webhooks/rest/webhook", json=payload) as response:
        response.raise_for_status()
        return await response.json()


async def parse(session: aiohttp.ClientSession, rasa_url: str, text: str) -> Dict[str, Any]:
    """Rasa's NLU result for `text` (needs Rasa's HTTP API: `rasa run --enable-api`)."""
    async with session.post(f"{rasa_url}/model/parse", params={"token": settings.secret("RASA_TOKEN")},
                            json={"text": text}) as response:
        response.raise_for_status()
        return await response.json()


def source_of(messages: List[Dict[str, Any]]) -> Optional[Dict[str, str]]:
    """The `custom.source` of a reply, if any message carries one."""
    for message in messages:
        source = (message.get("custom") or {}).get("source")
        if source:
            return source
    return None


def reply_text(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages if m.get("text"))
