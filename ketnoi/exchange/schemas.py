import datetime as dt

from ninja import Schema
from pydantic import Field


class AgencyRef(Schema):
    code: str
    name: str


class RecipientOut(Schema):
    agency: AgencyRef
    state: str
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    overdue: bool


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    response_id: int | None
    url: str


class ResponseOut(Schema):
    id: int
    agency: AgencyRef
    author: str
    body: str
    closes_part: bool
    created_at: dt.datetime


class RequestOut(Schema):
    id: int
    number_symbol: str
    subject: str
    sender: AgencyRef
    due_date: dt.date
    state: str
    overdue: bool
    recipients: list[RecipientOut]
    programme: str | None
    task: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None


class RequestDetailOut(RequestOut):
    body: str
    closing_note: str
    responses: list[ResponseOut]
    attachments: list[AttachmentOut]


class RequestIn(Schema):
    number_symbol: str = Field(min_length=1, max_length=60, examples=["123/BDTTG-TT"])
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1)
    due_date: dt.date
    recipients: list[str] = Field(description="Agency codes, e.g. ['BVHTTDL', 'SDTTG-15']")
    sender: str | None = Field(None, description="Agency code; only coordinators may send for another agency")
    programme: str | None = Field(None, description="Programme code")
    task: str | None = Field(None, description="Task code within the programme")


class ResponseIn(Schema):
    body: str = Field(min_length=1)
    closes_part: bool = False
    agency: str | None = Field(None, description="Agency code; only coordinators may answer for another agency")


class CloseIn(Schema):
    note: str = ""
    agency: str | None = None
