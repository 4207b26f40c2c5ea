import { Col, Row, Space, Typography } from "antd";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { HomeDeals } from "./HomeDeals";
import { HomeTasks } from "./HomeTasks";
import { HomeMeetings, HomeRecent } from "./HomeToday";

/**
 * HomePage is the user's day at a glance: their open and overdue tasks
 * (completed from here), today's meetings, their open opportunities by
 * stage and the records they opened last.
 */
export default function HomePage() {
  const { t } = useI18n();
  const { me, can } = useSession();
  return (
    <div data-testid="page-home">
      <Typography.Title level={1} style={{ fontSize: 24 }}>
        {t("home.title", { name: me?.user.name || me?.user.email || "" })}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          {can("contacts:read") && <HomeTasks />}
        </Col>
        <Col xs={24} lg={12}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            {can("contacts:read") && <HomeMeetings />}
            {can("sales:read") && <HomeDeals />}
            <HomeRecent />
          </Space>
        </Col>
      </Row>
    </div>
  );
}
