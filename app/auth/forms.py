"""Forms for login, password changes and the administrator's user screens."""

from __future__ import annotations

from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Optional, Regexp

from app.auth.models import ROLES, User
from app.core.forms import BaseForm, IdField, choices, fits


class LoginForm(BaseForm):
    username = StringField(
        "用户名", validators=[DataRequired(message="请输入用户名"), fits(User.username)]
    )
    password = PasswordField("密码", validators=[DataRequired(message="请输入密码")])


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "当前密码", validators=[DataRequired(message="请输入当前密码")]
    )
    new_password = PasswordField(
        "新密码",
        validators=[DataRequired(message="请输入新密码")],
        description="至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类",
    )
    confirm = PasswordField(
        "确认新密码",
        validators=[
            DataRequired(message="请再次输入新密码"),
            EqualTo("new_password", message="两次输入的新密码不一致"),
        ],
    )


class UserForm(BaseForm):
    username = StringField(
        "用户名",
        validators=[
            DataRequired(message="请输入用户名"),
            fits(User.username),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和减号"),
        ],
    )
    name = StringField("姓名", validators=[DataRequired(message="请输入姓名"), fits(User.name)])
    role = SelectField("角色", choices=choices(ROLES.items(), blank="请选择"))
    unit_id = IdField("所属单位", description="仅“责任单位”角色需要选择")
    phone = StringField("联系电话", validators=[Optional(), fits(User.phone)])


class NewUserForm(UserForm):
    password = PasswordField(
        "初始密码",
        validators=[DataRequired(message="请输入初始密码")],
        description="用户首次登录时必须修改",
    )


class ResetPasswordForm(BaseForm):
    password = PasswordField(
        "临时密码",
        validators=[DataRequired(message="请输入临时密码")],
        description="用户下次登录时必须修改",
    )
