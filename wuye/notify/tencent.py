"""Tencent Cloud SMS (腾讯云短信) through the official SDK (`tencentcloud-sdk-python-sms`, API 2021-01-11 SendSms).

Set `SMS_BACKEND = "wuye.notify.tencent.TencentSmsBackend"` and the TENCENT_SMS_* county settings (secret id and
key, SDK app id, sign name, template id, region; the endpoint and scheme only to point the SDK elsewhere, e.g. a
test's local server). It implements the `send(phone, text)` interface of `wuye.accounts.sms`: the message text is
the template's one variable ({1}), so the county registers one notification template whose body is that variable.

A refused or failed send raises `SmsSendError` with the gateway's code and message: `wuye.notify` records the
reason on the notification (and retries or marks it failed); login codes (`accounts.smsguard`) log it. Neither lets
it reach the resident's request. Phone numbers are sent in E.164 form (+86…) and never logged.
"""

import re

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from wuye.kernel.conf import county_setting


class SmsSendError(Exception):
    """The gateway did not accept the message; the text says why (code and message, no phone number)."""


def e164(phone: str) -> str:
    """A mainland mobile number in the form the API wants: +8613800000000."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if digits.startswith("+"):
        return digits
    if digits.startswith("0086"):
        return "+86" + digits[4:]
    if digits.startswith("86") and len(digits) == 13:
        return "+" + digits
    return "+86" + digits


class TencentSmsBackend:
    def __init__(self) -> None:
        self.secret_id = str(county_setting("TENCENT_SMS_SECRET_ID"))
        self.secret_key = str(county_setting("TENCENT_SMS_SECRET_KEY"))
        self.app_id = str(county_setting("TENCENT_SMS_SDK_APP_ID"))
        self.sign_name = str(county_setting("TENCENT_SMS_SIGN_NAME"))
        self.template_id = str(county_setting("TENCENT_SMS_TEMPLATE_ID"))
        self.region = str(county_setting("TENCENT_SMS_REGION"))
        self.endpoint = str(county_setting("TENCENT_SMS_ENDPOINT"))
        self.scheme = str(county_setting("TENCENT_SMS_SCHEME"))
        self.timeout = int(county_setting("TENCENT_SMS_TIMEOUT_SECONDS"))

    def _client(self) -> sms_client.SmsClient:
        missing = [
            name
            for name, value in (
                ("TENCENT_SMS_SECRET_ID", self.secret_id),
                ("TENCENT_SMS_SECRET_KEY", self.secret_key),
                ("TENCENT_SMS_SDK_APP_ID", self.app_id),
                ("TENCENT_SMS_SIGN_NAME", self.sign_name),
                ("TENCENT_SMS_TEMPLATE_ID", self.template_id),
            )
            if not value
        ]
        if missing:
            raise SmsSendError(f"腾讯云短信未配置：{', '.join(missing)}")
        http = HttpProfile(protocol=self.scheme, endpoint=self.endpoint, reqTimeout=self.timeout)
        profile = ClientProfile(httpProfile=http)
        return sms_client.SmsClient(
            credential.Credential(self.secret_id, self.secret_key), self.region, profile
        )

    def send(self, phone: str, text: str) -> None:
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [e164(phone)]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = self.template_id
        request.TemplateParamSet = [text]
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsSendError(f"{exc.get_code()}: {exc.get_message()}") from None
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsSendError(f"网关未返回发送状态（RequestId {response.RequestId}）")
        status = statuses[0]
        if status.Code != "Ok":
            raise SmsSendError(f"{status.Code}: {status.Message}")
