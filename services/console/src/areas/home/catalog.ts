import type { Catalog } from "../../i18n/types";

/** catalog holds the home page's texts. */
export const catalog: Catalog = {
  en: {
    "home.menu": "Home",
    "home.title": "Good to see you, {name}",
    "home.myTasks": "My open tasks",
    "home.overdue": "Overdue",
    "home.noTasks": "Nothing to do",
    "home.due": "due {when}",
  },
  zh: {
    "home.menu": "首页",
    "home.title": "{name}，您好",
    "home.myTasks": "我的待办任务",
    "home.overdue": "已逾期",
    "home.noTasks": "暂无待办",
    "home.due": "{when} 到期",
  },
};
